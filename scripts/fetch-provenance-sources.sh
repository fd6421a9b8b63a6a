#!/usr/bin/env bash
# Download and unpack the Debian sources of data/provenance-db.json, then rebuild it (with the
# upstream git histories too, when their clones are given).
#   bash scripts/fetch-provenance-sources.sh [WORKDIR]
#   GIT_SOURCES="automake=/path/automake.git gnulib=/path/gnulib.git ..." bash scripts/fetch-provenance-sources.sh
# apt runs with its own lists and cache under WORKDIR: the machine's sources and package state are
# not touched, and no root is needed beyond what apt-get download needs (none).
# See docs/provenance-db.md. Nothing downloaded here is committed; only the JSON is.
set -euo pipefail
work=${1:-/tmp/distvet-provdb}
here=$(cd "$(dirname "$0")/.." && pwd)
suites=${SUITES:-"bullseye bookworm trixie"}
packages=(autoconf automake libtool libltdl-dev gettext autopoint gnulib autoconf-archive autotools-dev
  pkgconf pkg-config intltool libglib2.0-dev gtk-doc-tools gobject-introspection libgpg-error-dev
  libgcrypt20-dev libcurl4-openssl-dev check libassuan-dev libksba-dev libnpth0-dev)
mkdir -p "$work"/{debs,x,archive,upstream,src} "$work"/apt/{lists/partial,cache/archives/partial,parts,prefs}

if [ -z "${SKIP_DOWNLOAD:-}" ]; then
  # Binary and source package lists for every suite, in a private apt state under $work/apt.
  : > "$work/apt/sources.list"
  for s in $suites; do
    for t in deb deb-src; do
      echo "$t [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $s main" >> "$work/apt/sources.list"
    done
  done
  apt=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=$work/apt/parts"
    -o "Dir::Etc::PreferencesParts=$work/apt/prefs" -o "Dir::State::Lists=$work/apt/lists"
    -o "Dir::Cache=$work/apt/cache" -o "APT::Get::List-Cleanup=0")
  apt-get "${apt[@]}" update -qq

  cd "$work/debs"
  for p in "${packages[@]}"; do
    for v in $(apt-cache "${apt[@]}" madison "$p" | awk '$5 !~ /Sources/ {print $3}' | sort -u); do
      apt-get "${apt[@]}" download -qq "$p=$v" >/dev/null 2>&1 || echo "skipped $p=$v (not downloadable)" >&2
    done
  done
  for d in "$work"/debs/*.deb; do
    n=$(basename "$d" .deb)
    [ -d "$work/x/$n" ] || { mkdir -p "$work/x/$n" && dpkg-deb -x "$d" "$work/x/$n"; }
  done
  # autopoint carries the m4 files and po/ helpers of every gettext release since 0.10.35.
  newest=$(ls -d "$work"/x/autopoint_* | sort -V | tail -1)
  tar xJf "$newest/usr/share/gettext/archive.dir.tar.xz" -C "$work/archive"
  # Upstream (unpatched) libtool: Debian patches its own ltmain.sh and libtool.m4.
  cd "$work/src"
  for v in $(apt-cache "${apt[@]}" showsrc libtool | awk '/^Version:/{print $2}' | sort -u); do
    apt-get "${apt[@]}" source -qq --download-only "libtool=$v" >/dev/null 2>&1 || true
  done
  for t in "$work"/src/libtool_*.orig.tar.*; do [ -e "$t" ] && tar xf "$t" -C "$work/upstream"; done
fi

args=()
for d in "$work"/x/*; do
  n=$(basename "$d"); pkg=${n%%_*}; rest=${n#*_}; ver=${rest%_*}; ver=${ver//%3a/:}
  args+=("Debian $pkg $ver=$d")
done
for d in "$work"/archive/gettext-*; do args+=("gettext ${d##*/gettext-} (autopoint archive)=$d"); done
for d in "$work"/upstream/*; do n=$(basename "$d"); args+=("${n%-*} ${n##*-} (upstream tarball)=$d"); done
# Upstream git histories (see docs/provenance-db.md): NAME=GITDIR, NAME one of the recipes in
# scripts/provenance-git.ts. Missing clones are skipped with a note.
git_args=()
for g in ${GIT_SOURCES:-}; do
  if git -C "${g#*=}" rev-parse --git-dir >/dev/null 2>&1; then git_args+=(--git "$g"); else echo "skipped git source $g (not a git repository)" >&2; fi
done
cd "$here"
node dist/scripts/build-provenance-db.js --out data/provenance-db.json "${git_args[@]}" "${args[@]}"
