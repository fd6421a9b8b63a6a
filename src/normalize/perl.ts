import { defineProfile, unverified } from "./profile.js";

const PERL_PROJECT = ["Makefile.PL", "Build.PL", "dist.ini", "cpanfile"];

export const perl = defineProfile({
  id: "perl-cpan",
  description: "Distribution metadata that ExtUtils::MakeMaker, Module::Build and Dist::Zilla write into a CPAN tarball.",
  explain(change, ctx) {
    if (change.kind !== "added" || !PERL_PROJECT.some((f) => ctx.hasGit(f))) return null;
    if (/^(META\.(json|yml)|MYMETA\.(json|yml)|MANIFEST|SIGNATURE)$/.test(change.path)) {
      return unverified("cpan-metadata", "CPAN distribution metadata written by the release tool", "rebuild the distribution from the tag (dzil build / make dist) and compare");
    }
    if (/^(Makefile\.PL|Build\.PL|LICENSE|README|INSTALL)$/.test(change.path) && ctx.hasGit("dist.ini")) {
      return unverified("cpan-generated", "named like a file Dist::Zilla generates from dist.ini", "rebuild the distribution from the tag with `dzil build` and compare");
    }
    return null;
  },
});
