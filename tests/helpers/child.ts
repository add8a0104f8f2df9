/** The CLI in a child process (to be killed, or to run as a user runs it), with what it writes to stderr. */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/config/paths.ts";

export function stockmemChild(
  argv: readonly string[],
  env: Record<string, string>,
): { child: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, "bin/stockmem.mjs"), ...argv], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (b) => (stderr += b));
  return { child, exit: new Promise((resolve) => child.once("exit", (code) => resolve({ code, stderr }))) };
}

/**
 * Kills a child with SIGKILL once `frozen` resolves (the fake endpoint holds its calls from a known point on, so the
 * child is blocked there), then lets the endpoint go; a child that ends before its kill point fails the test.
 */
export async function killFrozen(
  c: ReturnType<typeof stockmemChild>,
  frozen: Promise<void>,
  release: () => void,
): Promise<void> {
  await Promise.race([
    frozen,
    c.exit.then(({ stderr }) => Promise.reject(new Error(`the run ended before its kill point:\n${stderr}`))),
  ]);
  c.child.kill("SIGKILL");
  await c.exit;
  release();
}
