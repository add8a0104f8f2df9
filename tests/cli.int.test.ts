import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { program } from "../cli/main.ts";
import { RunContext } from "../src/config/context.ts";
import { loadDotEnv, PACKAGE_ROOT, projectRoot, runRecordFile, SAMPLE_DATA_DIR } from "../src/config/paths.ts";
import { AGENT_NAMES } from "../src/domain/agents.ts";
import { HashEmbedder } from "../src/memory/embeddings.ts";
import { MemoryStore } from "../src/memory/store.ts";
import { type RunRecord, writeWhole } from "../src/runtime/run-files.ts";
import { tempChroma, useIsolatedStockmem } from "./helpers/chroma.ts";
import { cli } from "./helpers/cli.ts";
import { item, writeDataDir } from "./helpers/data-dir.ts";
import { storedEvent } from "./helpers/records.ts";

describe("stockmem data stats", () => {
  it("prints stable JSON with the load report", async () => {
    const dir = writeDataDir(
      [
        { date: "2015-06-01", adj: 100 },
        { date: "2015-06-02", adj: 102 },
        { date: "2015-06-03", adj: 102 },
      ],
      [item("a", "2015-06-02T12:00:00Z"), item("z", "2015-06-02T12:00:00Z", "x", "ZZZ")],
    );
    const { code, out } = await cli("data", "stats", "--data", dir, "--json");
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.tickers).toEqual([
      {
        ticker: "TEST",
        items: 1,
        trading_days: 2,
        days_with_items: 1,
        labels: { up: 0, down: 0, flat: 1, unlabeled: 1 },
      },
    ]);
    expect(json.report.unknownTickers).toEqual({ ZZZ: 1 });
  });

  it("names the bad line and exits 1 (a data failure, as the README says), or skips it with --skip-invalid", async () => {
    const dir = writeDataDir(
      [
        { date: "2015-06-01", adj: 100 },
        { date: "2015-06-02", adj: 100 },
      ],
      [item("a", "2015-06-02T12:00:00Z"), "{oops"],
    );
    const bad = await cli("data", "stats", "--data", dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/news\.jsonl:2: malformed JSON/);
    const skipped = await cli("data", "stats", "--data", dir, "--skip-invalid");
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/note: 1 invalid lines skipped \(news\.jsonl:2/);
  });

  it("a price file in another layout (a Yahoo download) exits 1 naming its header; news before the first row's close is explained (issue 21, item 15)", async () => {
    const dir = writeDataDir(
      [
        { ticker: "AAPL", date: "2015-10-01", adj: 100 },
        { ticker: "AAPL", date: "2015-10-02", adj: 101 },
      ],
      [
        item("early", "2015-10-01T15:00:00Z", "before the first close", "AAPL"),
        item("in", "2015-10-02T15:00:00Z", "x", "AAPL"),
      ],
    );
    const early = await cli("data", "stats", "--data", dir);
    expect(early.code).toBe(0);
    expect(early.out).toMatch(
      /note: 1 items published before the close of their ticker's first price row skipped: a day's news is what came out between the previous close and its own, so the first row only opens the window of the second \(AAPL: 1\)/,
    );
    writeFileSync(join(dir, "prices.csv"), "Date,Open,High,Low,Close,Adj Close,Volume\n2015-10-01,1,1,1,1,1,100\n");
    for (const argv of [
      ["data", "stats", "--data", dir],
      ["run", "--data", dir, "--run", "yahoo-layout"],
      [
        "eval",
        "dataset",
        "--name",
        "y",
        "--train",
        "2015-09-01:2015-09-30",
        "--test",
        "2015-10-01:2015-10-02",
        "--data",
        dir,
      ],
    ]) {
      const r = await cli(...argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 1 });
      expect(r.err).toMatch(
        /prices\.csv:1: expected the header "ticker,date,open,high,low,close,adj_close,volume", got "Date,Open,High,Low,Close,Adj Close,Volume"/,
      );
    }
  });

  it("rejects bad flags with a message", async () => {
    expect((await cli("data", "stats", "--from", "June")).err).toMatch(/--from expects a date/);
    // eval run and eval ablations take --embeddings (the flag is known; the missing dataset is what fails)
    for (const cmd of [
      ["eval", "run"],
      ["eval", "ablations"],
    ])
      expect((await cli(...cmd, "--dataset", "nope", "--embeddings", "ollama:bge-m3")).err).toMatch(
        /no dataset "nope"/,
      );
    expect((await cli("nonsense")).code).toBe(2);
  });
});

describe("help, unknown commands and flags, exit codes", () => {
  /** Every command path of the tree with the flags its help must list. */
  const leaves = (c: Command, path: string[] = []): { path: string[]; flags: string[] }[] =>
    c.commands.length
      ? c.commands.flatMap((s) => leaves(s, [...path, s.name()]))
      : [{ path, flags: c.options.map((o) => o.long!) }];

  it("--help on every command and subcommand lists every flag, exit 0", async () => {
    const all = leaves(program());
    expect(all.map((l) => l.path.join(" "))).toEqual(
      expect.arrayContaining([
        "start",
        "run",
        "data stats",
        "eval dataset",
        "eval run",
        "eval compare",
        "eval ablations",
        "report",
        "chat",
        "trace export",
        "export grpo",
        "memory stats",
        "memory reset",
      ]),
    );
    for (const { path, flags } of all) {
      const h = await cli(...path, "--help");
      expect(h.code, path.join(" ")).toBe(0);
      expect(h.out).toContain(`Usage: stockmem ${path.join(" ")}`);
      for (const f of flags) expect(h.out, `${path.join(" ")} ${f}`).toContain(f);
    }
    expect((await cli("run", "--help")).out).toMatch(/--embeddings <E>[\s\S]*--layered[\s\S]*--dry-run/);
    const top = await cli("--help");
    expect(top.code).toBe(0);
    expect(top.out).toMatch(/Exit codes: 0 ok, 1 failure, 2 usage error/);
    for (const group of ["eval", "memory", "data", "export"]) expect((await cli(group, "--help")).code).toBe(0);
    expect((await cli("trace", "--help")).out).toMatch(
      /Usage: stockmem trace \[options\] \[command\] <RUN>[\s\S]*--json[\s\S]*export/,
    );
  });

  it("names an unknown command or flag, suggests the near one, exit 2", async () => {
    const bogus = await cli("bogus");
    expect([bogus.code, bogus.err]).toEqual([
      2,
      "stockmem: unknown command 'bogus'\n(stockmem --help lists the commands)\n",
    ]);
    const typo = await cli("eval", "rnu", "--dataset", "x");
    expect(typo.err).toMatch(/^stockmem: unknown command 'rnu'\n\(Did you mean run\?\)/);
    expect(typo.code).toBe(2);
    const flag = await cli("run", "--modle", "offline");
    expect(flag.err).toMatch(/^stockmem: unknown option '--modle'\n\(Did you mean --model\?\)/);
    expect(flag.code).toBe(2);
    const group = await cli("memory");
    expect([group.code, group.err]).toEqual([
      2,
      expect.stringMatching(/Usage: stockmem memory[\s\S]*stats[\s\S]*reset/),
    ]);
  });
});

describe("project root and .env", () => {
  it("finds the project root (and so the state dir) from a subdirectory; .env fills only what the environment lacks", () => {
    const root = mkdtempSync(join(tmpdir(), "stockmem-proj-"));
    writeFileSync(join(root, "package.json"), "{}");
    mkdirSync(join(root, "evals", "deep"), { recursive: true });
    expect(projectRoot(join(root, "evals", "deep"))).toBe(root);
    writeFileSync(
      join(root, ".env"),
      'STOCKMEM_MARKET_DATA=data/x\n# a comment\nOPENAI_BASE_URL="http://127.0.0.1:9/v1"\nSTOCKMEM_TEST_SET=from-file\n',
    );
    const env: NodeJS.ProcessEnv = { STOCKMEM_TEST_SET: "from-shell" };
    expect(loadDotEnv(join(root, ".env"), env).sort()).toEqual(["OPENAI_BASE_URL", "STOCKMEM_MARKET_DATA"]);
    expect(env).toEqual({
      STOCKMEM_TEST_SET: "from-shell",
      STOCKMEM_MARKET_DATA: "data/x",
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    });
    expect(loadDotEnv(join(root, "missing.env"), env)).toEqual([]);
  });

  it("the CLI run from a subdirectory reads the project's .env and uses the project's state dir", () => {
    const root = mkdtempSync(join(tmpdir(), "stockmem-proj-"));
    writeFileSync(join(root, "package.json"), "{}");
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, ".env"), `STOCKMEM_MARKET_DATA=${SAMPLE_DATA_DIR}\n`);
    const { STOCKMEM_DATA_DIR: _d, STOCKMEM_MARKET_DATA: _m, ...env } = process.env;
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(PACKAGE_ROOT, "bin/stockmem.mjs"), ...args], {
        cwd: join(root, "sub"),
        env,
        encoding: "utf8",
      });
    const stats = run("data", "stats", "--json");
    expect(stats.status, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout).dir).toBe(SAMPLE_DATA_DIR); // from .env
    const trace = run("trace", "nope");
    expect(trace.stderr).toContain(`no trace at ${join(root, ".stockmem", "traces", "nope.jsonl")}`); // the project's state dir, not sub/.stockmem
    expect(existsSync(join(root, "sub", ".stockmem"))).toBe(false);
  });
});

describe("stockmem memory", () => {
  let server: Awaited<ReturnType<typeof tempChroma>>;
  beforeAll(async () => {
    server = await tempChroma();
    vi.stubEnv("CHROMA_URL", server.url);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.stop();
  });

  it("lists runs with counts, and resets one", async () => {
    const store = await MemoryStore.open(server.url, "cli-run", new HashEmbedder(512));
    await store.putEvents([
      storedEvent("AAPL", "2015-10-05", "Apple event"),
      storedEvent("AAPL", "2015-10-06", "Another Apple event"),
    ]);
    const stats = await cli("memory", "stats", "--json");
    expect(JSON.parse(stats.out).runs).toEqual([
      {
        run: "cli-run",
        collections: expect.arrayContaining([
          { kind: "events", name: "cli-run__events", count: 2, embedding_model: "offline:hash/512" },
        ]),
        file_bytes: 0,
      },
    ]);
    expect(JSON.parse(stats.out).chroma_bytes).toBeTypeOf("number");
    expect((await cli("memory", "stats", "--run", "nope")).err).toMatch(/no run "nope"/);
    await store.putLayerRecords([
      {
        id: "lm:daily:AAPL:2015-10-05:a",
        ticker: "AAPL",
        date: "2015-10-05",
        kind: "daily",
        layer: "short",
        text: "a",
        importance: 0.5,
        access_count: 0,
        layer_since: "2015-10-05",
        available_at: "2015-10-05T20:00:00.000Z",
      },
      {
        id: "lm:daily:AAPL:2015-10-13:b",
        ticker: "AAPL",
        date: "2015-10-13",
        kind: "daily",
        layer: "mid",
        text: "b",
        importance: 0.7,
        access_count: 1,
        layer_since: "2015-10-13",
        available_at: "2015-10-13T20:00:00.000Z",
      },
    ]);
    const layered = await cli("memory", "stats", "--run", "cli-run");
    expect(layered.out).toMatch(
      /records per week \(of their date\) and layer\nweek of\s+short\s+mid\s+long\s+reflection\n[- ]+\n2015-10-05\s+1\s+0\s+0\s+0\n2015-10-12\s+0\s+1\s+0\s+0/,
    );
    // a chat names a run that has memory; an unknown name is refused, naming those that have, and never created
    const nope = await cli("chat", "MSFT", "--run", "nope");
    expect(nope.code).toBe(2);
    expect(nope.err).toMatch(/run "nope" has no memory here \(runs with memory: cli-run\): chat with one of them/);
    expect(JSON.parse((await cli("memory", "stats", "--json")).out).runs.map((r: { run: string }) => r.run)).toEqual([
      "cli-run",
    ]);
    const reset = await cli("memory", "reset", "--run", "cli-run");
    expect(reset.out).toMatch(/deleted cli-run__events, cli-run__layers, cli-run__reflections/);
    expect(JSON.parse((await cli("memory", "stats", "--json")).out).runs).toEqual([]);
  });
});

describe("stockmem chat on a run", () => {
  let server: Awaited<ReturnType<typeof tempChroma>>;
  beforeAll(async () => {
    server = await tempChroma();
  });
  afterAll(() => server.stop());

  it("reads the run's own data dir, and opens on its latest day with news, saying so (issue 21, items 1 and 4)", async () => {
    const state = mkdtempSync(join(tmpdir(), "stockmem-state-"));
    vi.stubEnv("STOCKMEM_DATA_DIR", state);
    try {
      const mine = writeDataDir(
        ["2015-10-05", "2015-10-06", "2015-10-07", "2015-10-08"].map((date, i) => ({
          ticker: "NVDA",
          date,
          adj: 20 + i,
        })),
        [item("n1", "2015-10-06T15:00:00Z", "Nvidia ships a new GPU", "NVDA")],
      );
      const record = {
        ctx: RunContext.parse({ run: "nvda" }),
        dataDir: mine,
        train: { from: "2015-10-05", to: "2015-10-06" },
        testFrom: "2015-10-07",
      } satisfies RunRecord;
      writeWhole(runRecordFile("nvda"), JSON.stringify(record));
      const store = await MemoryStore.open(server.url, "nvda", new HashEmbedder(512));
      await store.putEvents([storedEvent("NVDA", "2015-10-06", "Nvidia ships a new GPU")]);
      const chat = spawnSync(
        process.execPath,
        [join(PACKAGE_ROOT, "bin/stockmem.mjs"), "chat", "NVDA", "--run", "nvda"],
        {
          input: "what happened today?\n",
          env: { ...process.env, STOCKMEM_DATA_DIR: state, CHROMA_URL: server.url, STOCKMEM_MARKET_DATA: "" },
          encoding: "utf8",
        },
      );
      expect(chat.stderr).toBe("");
      expect(chat.status).toBe(0);
      expect(chat.stdout).toMatch(
        /^stockmem chat: NVDA as of the close of 2015-10-06 \(the latest day with news; --date D for another\), memory of run "nvda"/,
      );
      expect(chat.stdout).toMatch(/stockmem> NVDA 2015-10-06: 1 news items, 1 events\./);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("stockmem agents", () => {
  it("lists every agent with its prompt versions and the model and version the flags choose", async () => {
    const plain = await cli("agents", "--json");
    expect(plain.code).toBe(0);
    const rows = JSON.parse(plain.out) as { agent: string; versions: string[]; version: string; model: string }[];
    expect(rows.map((r) => r.agent)).toEqual([...AGENT_NAMES]);
    for (const r of rows) expect(r.version).toBe(r.versions.at(-1));
    expect(rows.every((r) => r.model === "offline")).toBe(true);
    const oldest = rows.find((r) => r.agent === "predictor")!.versions[0]!;
    const chosen = await cli(
      "agents",
      "--json",
      "--prompt-version",
      `predictor=${oldest}`,
      "--agent-model",
      "tracker=openai:m",
    );
    const by = new Map((JSON.parse(chosen.out) as typeof rows).map((r) => [r.agent, r]));
    expect(by.get("predictor")!.version).toBe(oldest);
    expect(["tracker", "tracker-batch", "tracker-link", "tracker-delta"].map((a) => by.get(a)!.model)).toEqual(
      Array(4).fill("openai:m"),
    );
    expect(by.get("extractor")!.model).toBe("offline");
    const table = await cli("agents");
    expect(table.out).toMatch(/^agent +initials +prompt +versions +used +model/);
    const bad = await cli("agents", "--prompt-version", "predictor=9.9.9");
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/predictor has no prompt version 9\.9\.9 \(versions: /);
  });
});

describe("stockmem run flags", () => {
  it("parses per-agent model overrides and rejects unknown agents", async () => {
    const { agentModels } = await import("../cli/run-flags.ts");
    expect(agentModels(["extractor=openai:gpt-4o-mini", "tracker=ollama:qwen2.5"])).toEqual({
      extractor: "openai:gpt-4o-mini",
      tracker: "ollama:qwen2.5",
    });
    expect(() => agentModels(["poet=openai:x"])).toThrow(/AGENT one of extractor/);
    const { modelIdFor } = await import("../agents/kit.ts");
    const { runContext } = await import("../src/config/context.ts");
    const ctx = runContext({
      model: "openai:deepseek-chat",
      models: agentModels(["tracker=ollama:qwen2.5", "predictor=offline"]),
    });
    expect(modelIdFor(ctx, "tracker-link")).toBe("ollama:qwen2.5");
    expect(modelIdFor(ctx, "predictor")).toBe("offline");
    expect(modelIdFor(ctx, "extractor")).toBe("openai:deepseek-chat");
  });

  it("rejects a malformed window", async () => {
    const res = await cli("run", "--train", "July");
    expect(res.code).toBe(2);
    expect(res.err).toBe('stockmem: --train expects FROM:TO dates, e.g. 2015-07-01:2015-09-30 (got "July")\n');
  });

  it("names an invalid date, a reversed window and an empty ticker list in one line, exit 2 (issue 23, item 9)", async () => {
    const cases: [string[], string][] = [
      [
        ["run", "--train", "2015-02-30:2015-03-30"],
        'stockmem: --train: "2015-02-30" is not a calendar date (YYYY-MM-DD)',
      ],
      [
        ["run", "--train", "2015-13-01:2015-01-01"],
        'stockmem: --train: "2015-13-01" is not a calendar date (YYYY-MM-DD)',
      ],
      [
        ["run", "--test", "2015-12-01:2015-10-01"],
        "stockmem: --test 2015-12-01:2015-10-01 ends before it starts: give FROM:TO with FROM on or before TO",
      ],
      [
        ["run", "--tickers", ""],
        "stockmem: --tickers is empty: give tickers such as AAPL,MSFT, or leave the flag out for every ticker of the data",
      ],
      [["data", "stats", "--from", "2015-02-30"], 'stockmem: --from: "2015-02-30" is not a calendar date (YYYY-MM-DD)'],
      [
        ["data", "stats", "--from", "2015-10-01", "--to", "2015-09-01"],
        "stockmem: --from 2015-10-01 is after --to 2015-09-01: nothing to count",
      ],
      [
        ["data", "stats", "--tickers", " , "],
        "stockmem: --tickers is empty: give tickers such as AAPL,MSFT, or leave the flag out for every ticker of the data",
      ],
      [
        ["eval", "dataset", "--name", "x", "--train", "2015-09-01:2015-08-01", "--test", "2015-10-01:2015-10-30"],
        "stockmem: --train 2015-09-01:2015-08-01 ends before it starts: give FROM:TO with FROM on or before TO",
      ],
      [
        ["eval", "dataset", "--name", "x", "--train", "2015-09-01:2015-10-15", "--test", "2015-10-01:2015-10-30"],
        "stockmem: --train 2015-09-01:2015-10-15 must end before --test 2015-10-01:2015-10-30 starts",
      ],
    ];
    for (const [argv, err] of cases) {
      const res = await cli(...argv);
      expect({ argv, code: res.code, err: res.err, out: res.out }).toEqual({ argv, code: 2, err: `${err}\n`, out: "" });
    }
  });
});

describe("stockmem eval compare and report", () => {
  it("compares two result files and writes an HTML report", async () => {
    const { syntheticResult } = await import("./helpers/results.ts");
    const { mkdtempSync, writeFileSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "stockmem-cli-evals-"));
    const a = join(dir, "a.json");
    const b = join(dir, "b.json");
    writeFileSync(a, JSON.stringify(syntheticResult("syn__A")));
    writeFileSync(b, JSON.stringify(syntheticResult("syn__B", true)));
    const cmp = await cli("eval", "compare", a, b);
    expect(cmp.code).toBe(0);
    expect(cmp.out).toMatch(/^A: syn__A\nB: syn__B/);
    expect(cmp.out).toMatch(/(right -> wrong|wrong -> right): [1-9]/);
    const html = join(dir, "b.html");
    const rep = await cli("report", "--experiment", b, "--out", html);
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(/portfolio\s+30/);
    expect(readFileSync(html, "utf8")).toMatch(/^<!doctype html>/);
    const one = await cli("eval", "compare", a);
    expect(one.err).toMatch(/^stockmem: missing required argument 'B'/);
    expect(one.code).toBe(2);
  });
});

describe("stockmem run", () => {
  useIsolatedStockmem();

  it("run: a test window without a trading day is an error, and --skip-invalid skips a bad line with a note", async () => {
    const dir = writeDataDir(
      [
        { date: "2015-06-01", adj: 100 },
        { date: "2015-06-02", adj: 102 },
        { date: "2015-06-03", adj: 101 },
        { date: "2015-06-04", adj: 103 },
      ],
      [item("a", "2015-06-02T12:00:00Z", "Acme launches a new product"), "{oops"],
    );
    const bad = await cli(
      "run",
      "--run",
      "cli-win",
      "--data",
      dir,
      "--train",
      "2015-06-01:2015-06-02",
      "--test",
      "2015-07-01:2015-07-31",
      "--skip-invalid",
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(
      /the test window 2015-07-01\.\.2015-07-31 has no trading day of TEST \(the data covers 2015-06-01\.\.2015-06-04\)/,
    );
    expect(
      (
        await cli(
          "run",
          "--run",
          "cli-strict",
          "--data",
          dir,
          "--train",
          "2015-06-01:2015-06-02",
          "--test",
          "2015-06-03:2015-06-04",
        )
      ).err,
    ).toMatch(/news\.jsonl:2: malformed JSON .*--skip-invalid/);
    const ok = await cli(
      "run",
      "--run",
      "cli-skip",
      "--data",
      dir,
      "--train",
      "2015-06-01:2015-06-02",
      "--test",
      "2015-06-03:2015-06-04",
      "--skip-invalid",
    );
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^ALL\s+2\s/m); // both test days predicted, the bad line skipped
  });
});
