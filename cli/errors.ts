/** A mistake in the command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

/** Parallel graph tasks (Send fan-out) fail together as an AggregateError: report its first cause. */
export function rootError(e: unknown): unknown {
  let cur = e;
  while (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
  return cur;
}
