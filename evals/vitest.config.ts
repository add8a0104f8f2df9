import { defineConfig } from "vitest/config";

// `npm run eval`: the eval suite (langsmith/vitest). Results stay local unless LANGSMITH_API_KEY is set.
export default defineConfig({
  test: {
    include: ["evals/**/*.eval.ts"],
    // langsmith's reporter extends vitest's default one: listing both printed every summary twice
    reporters: ["langsmith/vitest/reporter"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    env: { LANGSMITH_TEST_TRACKING: process.env.LANGSMITH_API_KEY ? "true" : "false" },
  },
});
