/**
 * One process per run: a lock file holding the owner's PID, taken with O_EXCL. A second process is
 * refused at once, naming the holder; a lock whose PID is dead (a crash, kill -9) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { alive } from "./ancestors.ts";

export class RunLockedError extends Error {
  constructor(
    readonly run: string,
    readonly pid: number,
    file: string,
  ) {
    super(
      `run "${run}" is in use by process ${pid} (lock ${file}). Wait for it to finish, stop it, or choose another --run.`,
    );
    this.name = "RunLockedError";
  }
}

export interface RunLock {
  file: string;
  /** the PID of a dead holder whose lock was taken over */
  tookOverFrom?: number;
  release(): void;
}

export function lockRun(file: string, run: string): RunLock {
  mkdirSync(dirname(file), { recursive: true });
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
      const release = () => {
        try {
          if (Number(readFileSync(file, "utf8").trim()) === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
        process.removeListener("exit", release);
      };
      process.on("exit", release);
      return { file, tookOverFrom, release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new RunLockedError(run, pid, file);
      tookOverFrom = Number.isInteger(pid) && pid > 0 ? pid : undefined;
      rmSync(file, { force: true }); // stale: its holder is gone
    }
  }
  throw new Error(`could not take the lock ${file}: another process keeps replacing it`);
}
