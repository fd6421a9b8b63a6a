import { describe, it, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { verifySignature } from "../src/fetch/signature.js";
import { tmp } from "./tmp.js";

const hasGpg = spawnSync("gpg", ["--version"]).status === 0 && spawnSync("gpgv", ["--version"]).status === 0;

describe.skipIf(!hasGpg)("signature verification (gpgv)", () => {
  const dir = tmp();
  const env = { ...process.env, GNUPGHOME: join(dir, "gnupg") };
  execFileSync("mkdir", ["-m", "700", "-p", env.GNUPGHOME]);
  execFileSync("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Release Signer <release@example.org>", "ed25519", "sign", "never"], { env, stdio: "ignore" });
  const file = join(dir, "pkg-1.0.tar.gz");
  writeFileSync(file, "release bytes");
  execFileSync("gpg", ["--batch", "--armor", "--detach-sign", "-o", `${file}.asc`, file], { env, stdio: "ignore" });
  const keyring = join(dir, "release.gpg");
  execFileSync("gpg", ["--batch", "--export", "-o", keyring], { env });

  it("accepts a good signature and reports the signer", async () => {
    const r = await verifySignature(file, `${file}.asc`, keyring);
    expect(r).toMatchObject({ status: "good", signer: "Release Signer <release@example.org>" });
    expect(r.fingerprint).toMatch(/^[0-9A-F]{40}$/);
  });

  it("rejects a tampered file", async () => {
    const bad = join(dir, "tampered.tar.gz");
    writeFileSync(bad, "release bytes, edited");
    await expect(verifySignature(bad, `${file}.asc`, keyring)).rejects.toMatchObject({ code: "E_SIGNATURE", message: expect.stringMatching(/BAD signature/) });
  });

  it("says which key is missing when the keyring lacks it", async () => {
    const empty = join(dir, "empty.gpg");
    writeFileSync(empty, "");
    await expect(verifySignature(file, `${file}.asc`, empty)).rejects.toMatchObject({ code: "E_SIGNATURE", message: expect.stringMatching(/not in the keyring/) });
  });
});
