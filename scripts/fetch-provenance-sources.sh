#!/usr/bin/env bash
# Download and unpack the upstream sources of data/provenance-db.json, then rebuild it.
#   bash scripts/fetch-provenance-sources.sh [WORKDIR]      (needs root for apt, and the Debian mirror)
# See docs/provenance-db.md. Nothing downloaded here is committed; only the JSON is.
set -euo pipefail
work=${1:-/tmp/distvet-provdb}
here=$(cd "$(dirname "$0")/.." && pwd)
suites=${SUITES:-"bullseye bookworm trixie"}
packages=(autoconf automake libtool libltdl-dev gettext autopoint gnulib autoconf-archive autotools-dev
  pkgconf pkg-config intltool libglib2.0-dev gtk-doc-tools gobject-introspection libgpg-error-dev
  libgcrypt20-dev libcurl4-openssl-dev check libassuan-dev libksba-dev libnpth0-dev)
mkdir -p "$work"/{debs,x,archive,upstream,src}

# Binary and source package lists for every suite (a temporary sources file, removed afterwards).
list=/etc/apt/sources.list.d/distvet-provdb.sources
trap 'rm -f "$list"; apt-get update -qq || true' EXIT
cat > "$list" <<SRC
Types: deb deb-src
URIs: http://deb.debian.org/debian
Suites: $suites
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt-get update -qq

cd "$work/debs"
for p in "${packages[@]}"; do
  for v in $(apt-cache madison "$p" | awk '{print $3}' | sort -u); do
    apt-get download -qq "$p=$v" >/dev/null 2>&1 || echo "skipped $p=$v (not downloadable)" >&2
  done
done
for d in "$work"/debs/*.deb; do
  n=$(basename "$d" .deb)
  mkdir -p "$work/x/$n" && dpkg-deb -x "$d" "$work/x/$n"
done
# autopoint carries the m4 files and po/ helpers of every gettext release since 0.10.35.
newest=$(ls -d "$work"/x/autopoint_* | sort -V | tail -1)
tar xJf "$newest/usr/share/gettext/archive.dir.tar.xz" -C "$work/archive"
# Upstream (unpatched) libtool: Debian patches its own ltmain.sh and libtool.m4.
cd "$work/src"
for v in $(apt-cache showsrc libtool | awk '/^Version:/{print $2}' | sort -u); do
  apt-get source -qq --download-only "libtool=$v" >/dev/null 2>&1 || true
done
for t in "$work"/src/libtool_*.orig.tar.*; do [ -e "$t" ] && tar xf "$t" -C "$work/upstream"; done

args=()
for d in "$work"/x/*; do
  n=$(basename "$d"); pkg=${n%%_*}; rest=${n#*_}; ver=${rest%_*}; ver=${ver//%3a/:}
  args+=("Debian $pkg $ver=$d")
done
for d in "$work"/archive/gettext-*; do args+=("gettext ${d##*/gettext-} (autopoint archive)=$d"); done
for d in "$work"/upstream/*; do n=$(basename "$d"); args+=("${n%-*} ${n##*-} (upstream tarball)=$d"); done
cd "$here"
node dist/scripts/build-provenance-db.js --out data/provenance-db.json "${args[@]}"
