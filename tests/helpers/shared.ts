import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../../src/config/paths.ts";

/** The full StockNet tech subset, present on development machines and in CI, absent on a user's fresh clone. */
export const SHARED_DATA = join(PACKAGE_ROOT, "../shared/data/stocknet-acl18-tech");
export const HAS_SHARED = existsSync(join(SHARED_DATA, "news.jsonl"));
if (!HAS_SHARED)
  console.warn(
    `[stockmem tests] ${SHARED_DATA} is absent: tests on the full dataset are skipped (the bundled sample still runs).`,
  );
