import { spawn, spawnSync } from "node:child_process";
import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { DistvetError } from "../errors.js";

/** Limits applied inside the sandbox to every generator run. */
export interface Limits {
  /** Wall clock: the whole process group is killed after this. */
  timeoutMs: number;
  /** CPU seconds (ulimit -t). */
  cpuSeconds: number;
  /** Virtual memory in KiB (ulimit -v). */
  memoryKiB: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutMs: 300_000, cpuSeconds: 600, memoryKiB: 4 * 1024 * 1024 };

export interface RunResult {
  code: number | null;
  /** True when the wall-clock limit killed the run. */
  timedOut: boolean;
  output: string;
  durationMs: number;
}

export interface Sandbox {
  readonly sandboxed: boolean;
  /** Run `script` with /bin/sh in `workDir` (the only writable directory). */
  run(workDir: string, script: string, opts: { env?: Record<string, string>; limits: Limits; extraRo?: string[] }): Promise<RunResult>;
}

/** Where the work directory appears inside the sandbox: a fixed path, so nothing host-specific leaks into outputs. */
export const SANDBOX_DIR = "/build/src";

const BASE_ENV: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin",
  LC_ALL: "C",
  LANG: "C",
  TZ: "UTC",
  HOME: "/tmp",
  TMPDIR: "/tmp",
  SHELL: "/bin/sh",
};

/** bwrap arguments for a read-only view of the system. Top-level symlinks (merged /usr) are recreated as symlinks. */
function systemBinds(): string[] {
  const args: string[] = [];
  for (const dir of ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt"]) {
    if (!existsSync(dir)) continue;
    const st = lstatSync(dir);
    if (st.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  return args;
}

function limitPrefix(l: Limits): string {
  return `ulimit -t ${l.cpuSeconds} && ulimit -v ${l.memoryKiB} && ulimit -c 0 && `;
}

function spawnLimited(cmd: string, args: string[], opts: { cwd?: string; env: Record<string, string>; timeoutMs: number }): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let size = 0;
    const keep = (b: Buffer) => {
      chunks.push(b);
      size += b.length;
      // Keep only the tail: logs can be large.
      while (size > 256 * 1024 && chunks.length > 1) size -= chunks.shift()!.length;
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, opts.timeoutMs);
    const done = (code: number | null) => {
      clearTimeout(timer);
      resolve({ code, timedOut, output: Buffer.concat(chunks).toString("utf8"), durationMs: Date.now() - start });
    };
    child.on("error", (e) => {
      keep(Buffer.from(`could not start ${cmd}: ${e.message}\n`));
      done(127);
    });
    child.on("close", (code) => done(code));
  });
}

/** bubblewrap: no network, no other namespaces shared, read-only system, only the work directory writable. */
export function bwrapSandbox(bwrap: string): Sandbox {
  return {
    sandboxed: true,
    run(workDir, script, { env = {}, limits, extraRo = [] }) {
      const args = [
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        ...systemBinds(),
        ...extraRo.flatMap((d) => ["--ro-bind", d, d]),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--bind",
        workDir,
        SANDBOX_DIR,
        "--chdir",
        SANDBOX_DIR,
        // The sandbox's own root (where /build lives) read-only too: only the work dir and a private /tmp are writable.
        "--remount-ro",
        "/",
      ];
      for (const [k, v] of Object.entries({ ...BASE_ENV, ...env })) args.push("--setenv", k, v);
      args.push("--", "/bin/sh", "-c", limitPrefix(limits) + script);
      return spawnLimited(bwrap, args, { env: { PATH: process.env.PATH ?? BASE_ENV.PATH! }, timeoutMs: limits.timeoutMs });
    },
  };
}

/** No isolation: the same limits, run in place. Only with --regenerate-unsandboxed. */
export function unsandboxed(): Sandbox {
  return {
    sandboxed: false,
    run(workDir, script, { env = {}, limits }) {
      return spawnLimited("/bin/sh", ["-c", limitPrefix(limits) + script], { cwd: workDir, env: { ...BASE_ENV, ...env }, timeoutMs: limits.timeoutMs });
    },
  };
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

/**
 * The sandbox to use, or a one-line refusal. bwrap must exist and be able to create its
 * namespaces here (it cannot, e.g., inside some containers or where user namespaces are disabled).
 */
export function chooseSandbox(opts: { unsandboxed?: boolean }): Sandbox {
  if (opts.unsandboxed) return unsandboxed();
  const bwrap = findOnPath("bwrap");
  if (!bwrap) {
    throw new DistvetError(
      "E_BAD_ARGUMENT",
      "--regenerate runs generators only inside a bubblewrap sandbox, and bwrap is not installed (Debian: apt-get install bubblewrap); pass --regenerate-unsandboxed to run them without isolation",
    );
  }
  const probe = spawnSync(bwrap, ["--unshare-all", "--die-with-parent", ...systemBinds(), "--proc", "/proc", "--dev", "/dev", "--", "/bin/true"], { encoding: "utf8", timeout: 20_000 });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit ${probe.status}`).trim().split("\n").pop();
    throw new DistvetError(
      "E_BAD_ARGUMENT",
      `--regenerate needs a working bubblewrap sandbox, but bwrap fails here (${why}; user namespaces may be disabled: check sysctl kernel.unprivileged_userns_clone / user.max_user_namespaces); pass --regenerate-unsandboxed to run generators without isolation`,
    );
  }
  return bwrapSandbox(bwrap);
}

export function tail(text: string, lines = 15): string {
  const all = text.trimEnd().split("\n");
  return all.slice(-lines).join("\n");
}
