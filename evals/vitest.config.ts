import { defineConfig } from "vitest/config";

// `npm run eval`: the eval suite (langsmith/vitest). Results stay local unless LANGSMITH_API_KEY is set.
export default defineConfig({
  test: {
    include: ["evals/**/*.eval.ts"],
    reporters: ["default", "langsmith/vitest/reporter"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    env: { LANGSMITH_TEST_TRACKING: process.env.LANGSMITH_API_KEY ? "true" : "false" },
  },
});
