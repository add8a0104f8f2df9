/**
 * Follow the process that started us. The LangGraph dev server runs the graphs in a worker under a
 * `tsx watch` process; when the dev server is SIGKILLed, both are orphaned and live on, and so would
 * the Chroma server the worker started. A graph process that opens its own resources (Studio)
 * therefore watches its ancestors: when one dies, it stops the ancestors between it and the dead one
 * (the dev server's own helpers) and exits; its Chroma launcher, which watches its parent, follows.
 */
import { readFileSync } from "node:fs";

/** The parent of a process, from /proc (Linux); undefined elsewhere or when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** True while a process exists (EPERM: it exists, owned by someone else). */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

const commOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
};

/**
 * Our Node ancestors (the dev server, its tsx watcher, npm), nearest first, up to `depth`: the chain
 * stops at the first other process (a shell, a terminal, init), whose death is not the server's.
 */
function ancestors(depth = 4): number[] {
  const out: number[] = [];
  let pid: number | undefined = process.ppid;
  while (pid && pid > 1 && out.length < depth && /^(node|npm|npx|tsx|langgraph)/.test(commOf(pid))) {
    out.push(pid);
    pid = parentOf(pid);
  }
  return out;
}

let watching = false;

/** Starts the watch once per process (an unref'd timer: it never keeps the process alive). */
export function exitWithAncestors(intervalMs = 1000): void {
  if (watching) return;
  watching = true;
  const chain = ancestors();
  const timer = setInterval(() => {
    const dead = chain.findIndex((pid) => !alive(pid) || (pid === chain[0] && process.ppid !== pid));
    if (dead < 0) return;
    for (const pid of chain.slice(0, dead)) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // gone already
      }
    }
    process.exit(0);
  }, intervalMs);
  timer.unref();
}
