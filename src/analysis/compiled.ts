/**
 * Compiled code, recognised by its bytes (never by its name alone): object files, libraries and
 * executables, Python bytecode, Java classes and archives, WebAssembly. A source tarball built
 * from a tag has none that git does not have.
 */
const starts = (b: Uint8Array, bytes: number[], at = 0): boolean => b.length >= at + bytes.length && bytes.every((x, i) => b[at + i] === x);

export function compiledKind(path: string, b: Uint8Array): string | null {
  if (starts(b, [0x7f, 0x45, 0x4c, 0x46])) return "ELF object, library or executable";
  if (starts(b, [0xcf, 0xfa, 0xed, 0xfe]) || starts(b, [0xce, 0xfa, 0xed, 0xfe]) || starts(b, [0xfe, 0xed, 0xfa, 0xce]) || starts(b, [0xfe, 0xed, 0xfa, 0xcf])) return "Mach-O object or executable";
  if (starts(b, [0x4d, 0x5a]) && b.length >= 64) {
    const pe = (b[60]! | (b[61]! << 8) | (b[62]! << 16)) >>> 0;
    if (pe + 4 <= b.length && starts(b, [0x50, 0x45, 0x00, 0x00], pe)) return "PE (Windows) executable or DLL";
  }
  if (starts(b, [0x21, 0x3c, 0x61, 0x72, 0x63, 0x68, 0x3e, 0x0a])) return "static library (ar archive)";
  if (starts(b, [0x00, 0x61, 0x73, 0x6d])) return "WebAssembly module";
  if (starts(b, [0xca, 0xfe, 0xba, 0xbe])) {
    // Java class files and Mach-O universal binaries share this magic; both are compiled code.
    return b.length >= 8 && b[7]! >= 45 ? "Java class file" : "Mach-O universal binary";
  }
  if (b.length >= 16 && b[2] === 0x0d && b[3] === 0x0a && /\.py[co]$/.test(path)) return "Python bytecode (.pyc)";
  if (b.length >= 16 && b[2] === 0x0d && b[3] === 0x0a && b[1]! < 0x10 && b[0]! > 0 && (b[4]! | b[5]! | b[6]! | b[7]!) <= 3 && /(^|\/)__pycache__\//.test(path)) return "Python bytecode (.pyc)";
  if (starts(b, [0x50, 0x4b, 0x03, 0x04]) && (/\.(jar|war|ear|aar|apk)$/i.test(path) || Buffer.from(b.subarray(0, 512)).includes("META-INF/"))) return "Java archive (compiled classes)";
  if (starts(b, [0x64, 0xa0, 0x01, 0x00]) || starts(b, [0x4c, 0x01]) && /\.(obj|o)$/i.test(path)) return "COFF object file";
  return null;
}
