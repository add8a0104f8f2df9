/**
 * Colour on a terminal, as users of comparable CLIs expect, and never where it would be noise: only when the stream is
 * a terminal, never with NO_COLOR set (no-color.org) or TERM=dumb; FORCE_COLOR=1 forces it, FORCE_COLOR=0 turns it off.
 */

const CODES = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  bold: [1, 22],
  dim: [2, 22],
} as const;
type Style = keyof typeof CODES;

function colourOn(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "") return env.FORCE_COLOR !== "0";
  return Boolean(stream.isTTY) && !env.NO_COLOR && env.TERM !== "dumb";
}

/** A painter for one stream: `paint("red", text)` is the text in red when that stream shows colour, as is otherwise. */
export function painter(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env) {
  const on = colourOn(stream, env);
  return (style: Style, text: string): string =>
    on ? `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m` : text;
}

/** "note:" and "warning:" lines, painted for stderr or stdout. */
export const noteLine = (text: string, stream: { isTTY?: boolean } = process.stdout) =>
  `${painter(stream)("yellow", "note:")} ${text}`;
