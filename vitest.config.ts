import { defineConfig } from "vitest/config";

/**
 * `npm test` runs both projects: the unit tests first, side by side (no Chroma: pure functions and the
 * in-memory memory port), then the integration tests one file at a time (each starts real Chroma
 * servers, PostgreSQL, the dev server or child processes; in parallel they would fight for 2 cores).
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["tests/**/*.unit.test.ts"], testTimeout: 60_000, sequence: { groupOrder: 0 } } },
      {
        test: {
          name: "int",
          include: ["tests/**/*.int.test.ts"],
          fileParallelism: false,
          // A hang detector, not a speed target: every test waits on events (a screen, a log line, a process's
          // exit), so a busy machine makes it slower, never red. Speed targets live in `npm run bench`.
          testTimeout: 900_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
