import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DistvetError } from "../errors.js";

const run = promisify(execFile);

export interface SignatureResult {
  status: "good";
  /** Primary key fingerprint from VALIDSIG. */
  fingerprint: string;
  /** User id from GOODSIG. */
  signer: string;
}

/**
 * Verify a detached OpenPGP signature with gpgv (given a keyring) or gpg (the user's keyring).
 * Anything but a good signature is an operational error: the user asked for verification.
 */
export async function verifySignature(file: string, signature: string, keyring?: string): Promise<SignatureResult> {
  const [cmd, args] = keyring
    ? ["gpgv", ["--status-fd", "1", "--keyring", keyring, signature, file]]
    : ["gpg", ["--batch", "--status-fd", "1", "--verify", signature, file]];
  let status = "";
  let stderr = "";
  try {
    const r = await run(cmd, args, { maxBuffer: 1 << 20 });
    status = r.stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (err.code === "ENOENT") throw new DistvetError("E_SIGNATURE", `verifying signatures needs '${cmd}' (apt-get install ${cmd === "gpgv" ? "gpgv" : "gnupg"})`);
    status = err.stdout ?? "";
    stderr = err.stderr ?? "";
  }
  const line = (tag: string) => status.split("\n").find((l) => l.startsWith(`[GNUPG:] ${tag} `) || l === `[GNUPG:] ${tag}`);
  if (line("BADSIG")) throw new DistvetError("E_SIGNATURE", `BAD signature: ${signature} does not match ${file}`);
  const goodsig = line("GOODSIG");
  const validsig = line("VALIDSIG");
  if (goodsig && validsig) {
    return { status: "good", fingerprint: validsig.split(" ")[2] ?? "", signer: goodsig.split(" ").slice(3).join(" ") };
  }
  const nokey = line("NO_PUBKEY") ?? line("ERRSIG");
  if (nokey) {
    throw new DistvetError("E_SIGNATURE", `cannot verify ${signature}: signing key ${nokey.split(" ")[2]} is not in the ${keyring ? `keyring ${keyring}` : "gpg keyring"} (pass --keyring with the project's release key)`);
  }
  const why = stderr.trim().split("\n").pop() || "no valid signature found";
  throw new DistvetError("E_SIGNATURE", `cannot verify ${signature}: ${why}`);
}
