/** Runs the CLI in-process, capturing what it writes to stdout and stderr (console and stream writes alike). */
import { vi } from "vitest";
import { main } from "../../cli/main.ts";

export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation((s) => {
      out += String(s);
      return true;
    }),
    vi.spyOn(process.stderr, "write").mockImplementation((s) => {
      err += String(s);
      return true;
    }),
    vi.spyOn(console, "log").mockImplementation((...a) => {
      out += `${a.join(" ")}\n`;
    }),
    vi.spyOn(console, "error").mockImplementation((...a) => {
      err += `${a.join(" ")}\n`;
    }),
  ];
  try {
    return { code: await main(argv), out, err };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
