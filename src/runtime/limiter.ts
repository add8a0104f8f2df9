/**
 * The model calls in flight, bounded for the whole run, and served by rank: a waiting call of a lower rank goes
 * first, and calls of one rank go in the order they came. A call's rank is read when a slot frees, not when it
 * queued, so work that becomes urgent while it waits (the news of a day the loop has reached) moves up at once.
 * The day loop's own calls have rank 0; work done ahead of it ranks after them (graphs/steps/ahead.ts).
 */

/** Runs `fn` once a slot is free; `rank` (default 0) orders the waiting calls. */
export type Limiter = <T>(fn: () => Promise<T>, rank?: () => number) => Promise<T>;

interface Waiting {
  rank: () => number;
  start: () => void;
}

const first = () => 0;

export function rankedLimiter(max: number): Limiter {
  let active = 0;
  const waiting: Waiting[] = [];
  const next = () => {
    while (active < max && waiting.length > 0) {
      // the first waiting call of the lowest rank (rank 0 is the least there is: no need to look further)
      let best = 0;
      let bestRank = waiting[0]!.rank();
      for (let i = 1; i < waiting.length && bestRank > 0; i++) {
        const rank = waiting[i]!.rank();
        if (rank < bestRank) [best, bestRank] = [i, rank];
      }
      const [w] = waiting.splice(best, 1);
      active++;
      w!.start();
    }
  };
  return <T>(fn: () => Promise<T>, rank: () => number = first) =>
    new Promise<T>((resolve, reject) => {
      waiting.push({
        rank,
        start: () => {
          Promise.resolve()
            .then(fn)
            .then(resolve, reject)
            .finally(() => {
              active--;
              next();
            });
        },
      });
      next();
    });
}
