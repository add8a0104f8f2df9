#!/usr/bin/env node
// The `stockmem` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from "tsx/esm/api";

register();
const { main, commandProcess } = await import("../cli/main.ts");
commandProcess();
process.exitCode = await main(process.argv.slice(2));
