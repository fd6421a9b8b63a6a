import { createHash, type Hash } from "node:crypto";

/** Incremental git blob id: sha1("blob <size>\0" + bytes). */
export class BlobHasher {
  private readonly hash: Hash;
  constructor(size: number) {
    this.hash = createHash("sha1");
    this.hash.update(`blob ${size}\0`);
  }
  update(chunk: Uint8Array): this {
    this.hash.update(chunk);
    return this;
  }
  digest(): string {
    return this.hash.digest("hex");
  }
}

/** git blob id of a whole buffer or string (symlink targets are hashed this way too). */
export function blobId(content: Uint8Array | string): string {
  const buf = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return new BlobHasher(buf.length).update(buf).digest();
}
