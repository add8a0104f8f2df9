/** Coarse merging (paper 3.1.2): leader clustering of one group's events by cosine similarity. Pure. */

import { cosine } from "./embeddings.ts";

/**
 * Greedy leader clustering: each item joins the first cluster whose leader is at least `threshold`
 * similar, else it leads a new one. Order-stable, so the same input always gives the same clusters.
 * Returns clusters as lists of indexes.
 */
export function leaderClusters(vectors: readonly (readonly number[])[], threshold: number): number[][] {
  const clusters: number[][] = [];
  for (let i = 0; i < vectors.length; i++) {
    const home = clusters.find((c) => cosine(vectors[c[0]!]!, vectors[i]!) >= threshold);
    if (home) home.push(i);
    else clusters.push([i]);
  }
  return clusters;
}

/** Index (within `members`) of the most central member: the highest summed similarity, first on ties. */
export function medoid(vectors: readonly (readonly number[])[], members: readonly number[]): number {
  let best = 0;
  let bestScore = -Infinity;
  members.forEach((m, k) => {
    const score = members.reduce((s, o) => s + (o === m ? 0 : cosine(vectors[m]!, vectors[o]!)), 0);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  });
  return best;
}
