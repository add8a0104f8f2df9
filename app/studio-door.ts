/**
 * The dev server's door (langgraph.json `http.app`, for `npm run studio`): every request must name a local host and,
 * when a
 * browser sends it, come from Studio or a local page (src/config/studio.ts says which). LangGraph's
 * CORS setting only hides answers from other origins; this refuses the request itself, so a web page
 * cannot start a run with a "simple" cross-origin POST either.
 */
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";
import { Hono } from "hono";
import { doorRefusal } from "../src/config/studio.ts";

// what the dev server writes from here on (.langgraph_api's files, the state dir) is owner-only, as
// the CLI's is; its folder was made before this module loaded
process.umask(0o077);
const api = join(process.cwd(), ".langgraph_api");
if (existsSync(api)) chmodSync(api, 0o700);

/** @public The dev server's HTTP app (langgraph.json `http.app`). */
export const app = new Hono();
app.use("*", async (c, next) => {
  const why = doorRefusal({ host: c.req.header("host"), origin: c.req.header("origin") });
  if (why) return c.json({ error: "Forbidden", message: why }, 403);
  await next();
});
