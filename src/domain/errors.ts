/** The message of anything thrown: an Error's message, or the thrown value as text (a string, a number, an object). */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "string") return e;
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

const FULL = /ENOSPC|no space left on device|database or disk is full|SQLITE_FULL/i;

/** Whether anything in an error's chain (causes, aggregated errors) says the disk is full. */
export function isDiskFull(e: unknown, depth = 0): boolean {
  if (e === null || e === undefined || depth > 8) return false;
  const x = e as { code?: unknown; cause?: unknown; errors?: unknown };
  if (x.code === "ENOSPC" || x.code === "SQLITE_FULL" || FULL.test(messageOf(e))) return true;
  if (Array.isArray(x.errors) && x.errors.some((c) => isDiskFull(c, depth + 1))) return true;
  return isDiskFull(x.cause, depth + 1);
}

/** A full disk, said once, with the way out: the checkpoints keep what was done, so the same command resumes. */
export class DiskFullError extends Error {
  constructor(dir: string, cause: unknown) {
    const first =
      messageOf(cause)
        .split("\n")
        .find((l) => FULL.test(l)) ??
      messageOf(cause).split("\n")[0] ??
      "";
    super(
      `the disk holding ${dir} is full (${first.trim().slice(0, 200)}): free some space (\`df -h ${dir}\` shows it; \`stockmem memory gc\` removes old eval runs), then re-run the same command: a run resumes from its last checkpoint`,
      { cause },
    );
    this.name = "DiskFullError";
  }
}
