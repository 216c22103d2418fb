import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import pg from "pg";
import { z } from "zod";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { errorMessage } from "../src/error-message.ts";
import { createLogger } from "../src/logger.ts";
import { createServer } from "../src/server/create-server.ts";
import { buildWebAssets } from "../src/web/build-assets.ts";
import { parseCli } from "./cli.ts";

/**
 * HTTP benchmark of the real service: `POST /api/ask` in extractive mode, under autocannon, on
 * PGlite and on PostgreSQL. For each engine a fresh store is created (a temporary DATA_DIR, or a
 * throw-away database `sotay_bench_<random>` that is dropped afterwards) and the service is built
 * exactly as src/main.ts builds it (createApp → buildWebAssets → createServer → serve) in a worker
 * process of its own, so that its RSS and CPU are its own and the load generator (autocannon, in
 * this parent process) does not share its event loop.
 */

const SCRIPT = fileURLToPath(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const WORKER_ENV = "SOTAY_BENCH_HTTP_WORKER";

/** What members type: in scope with and without diacritics, abbreviations, and out of scope. */
const QUESTIONS: { question: string; inScope: boolean }[] = [
  { question: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?", inScope: true },
  { question: "Ba đột phá chiến lược là gì?", inScope: true },
  { question: "Ai là Bí thư Thành ủy Hà Nội?", inScope: true },
  { question: "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?", inScope: true },
  { question: "Năm định hướng chiến lược lớn của Hà Nội gồm những gì?", inScope: true },
  { question: "chi tieu tang truong cua ha noi la bao nhieu", inScope: true },
  { question: "bau cu dai bieu hdnd cac cap nhiem ky nao", inScope: true },
  { question: "Giá vàng hôm nay bao nhiêu?", inScope: false },
  { question: "cach nau pho bo ha noi", inScope: false },
  { question: "Ai là Chủ tịch UBND TP Hà Nội?", inScope: false },
];

const USAGE = `Usage: npm run bench:http -- [--engines pglite,postgres] [--connections N] [--duration S]
                           [--warmup S] [--database-url URL] [--json]

Starts the service on a fresh store per engine (on 127.0.0.1, a free port, LOG_LEVEL=silent,
extractive answers), warms it up, then runs autocannon against POST /api/ask with questions
cycling over ${QUESTIONS.length} Vietnamese questions (with and without diacritics, some out of scope).
  --engines LIST      pglite, postgres, or both (default: both; PostgreSQL is skipped with a note
                      when its server does not answer, unless asked for explicitly)
  --connections N     concurrent connections (default: 20)
  --duration S        seconds of measured load (default: 20)
  --warmup S          seconds of unmeasured load first (default: 3)
  --database-url URL  PostgreSQL admin connection, used to create and drop a throw-away database
                      (default: $BENCH_DATABASE_URL, $TEST_DATABASE_URL, or ${DEFAULT_ADMIN_URL})
  --json              print exactly one JSON object: { "runs": [...] }
Exit code 1 when any request failed (error, timeout or non-2xx status) or a run could not complete.`;

const ENGINES = ["pglite", "postgres"] as const;
type Engine = (typeof ENGINES)[number];

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres:// or postgresql://");
const engineList = z
  .string()
  .transform((s) =>
    s
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(ENGINES)).min(1, `expected one or more of ${ENGINES.join(", ")}`))
  .transform((picked) => ENGINES.filter((v) => picked.includes(v)));

const argsSchema = z.object({
  engines: engineList.optional(),
  connections: z.coerce.number().int().min(1).max(1000).default(20),
  duration: z.coerce.number().int().min(1).max(3600).default(20),
  warmup: z.coerce.number().int().min(0).max(600).default(3),
  "database-url": postgresUrl.optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});
type BenchArgs = z.infer<typeof argsSchema>;

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const envSchema = z.object({
  BENCH_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
  TEST_DATABASE_URL: z.preprocess(emptyToUndefined, postgresUrl.optional()),
});

const CLI_OPTIONS = {
  engines: { type: "string" },
  connections: { type: "string" },
  duration: { type: "string" },
  warmup: { type: "string" },
  "database-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseCliArgs(argv: string[]): BenchArgs {
  return parseCli(argv, CLI_OPTIONS, argsSchema, USAGE);
}

export interface HttpRun {
  engine: Engine;
  connections: number;
  durationS: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  /** connection errors and timeouts */
  errors: number;
  non2xx: number;
  /** RSS of the service process after start-up and warm-up, before the measured load */
  rssBeforeMB: number;
  rssAfterMB: number;
}

/** Not in the JSON (its shape is fixed): shown in the table only. */
interface RunExtras {
  requests: number;
  /** CPU time of the service process over the measured load, in % of one core */
  serverCpuPercent: number;
}

// ---- the service, in a worker process -----------------------------------------------------------

const storeSchema = z.object({ DATABASE_URL: z.string().optional(), DATA_DIR: z.string() });
type StoreConfig = z.infer<typeof storeSchema>;

type ToWorker = { type: "start"; store: StoreConfig } | { type: "sample" } | { type: "stop" };
type FromWorker =
  | { type: "ready"; port: number }
  | { type: "sample"; rss: number; cpuMicros: number; at: number }
  | { type: "stopped" }
  | { type: "error"; error: string };

const sample = (): FromWorker => {
  const cpu = process.cpuUsage();
  return { type: "sample", rss: process.memoryUsage.rss(), cpuMicros: cpu.user + cpu.system, at: Date.now() };
};

/** The wiring of src/main.ts, on 127.0.0.1 and a free port, logging nothing, extractive answers. */
async function startService(store: StoreConfig) {
  // The environment is built here, not inherited: a CHAT_MODEL or DATABASE_URL in the caller's
  // shell must not change what is measured.
  const config = loadConfig({
    ...(store.DATABASE_URL ? { DATABASE_URL: store.DATABASE_URL } : {}),
    DATA_DIR: store.DATA_DIR,
    CORPUS_DIR: join(REPO_ROOT, "corpus"),
    EMBEDDINGS: "local",
    LOG_LEVEL: "silent",
    HOST: "127.0.0.1",
    PORT: "0",
  });
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createApp(config, logger);
  const web = await buildWebAssets();
  const server = createServer({
    answerer: app.answerer,
    store: app.store,
    logger,
    web,
    options: { logQuestions: config.LOG_QUESTIONS, maxBodyBytes: config.MAX_BODY_BYTES },
  });
  const http = serve({ fetch: server.fetch, port: config.PORT, hostname: config.HOST });
  await new Promise<void>((resolve, reject) => {
    http.once("listening", resolve);
    http.once("error", reject);
  });
  const { port } = http.address() as AddressInfo;
  const stop = () =>
    new Promise<void>((resolve) => {
      http.close(() => {
        void app.close().finally(resolve);
      });
      (http as import("node:http").Server).closeIdleConnections?.();
    });
  return { port, stop };
}

function runWorker(): void {
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  const send = (message: FromWorker, then: () => void = () => {}) => process.send?.(message, then);
  process.on("message", (message: ToWorker) => {
    if (message.type === "start") {
      startService(storeSchema.parse(message.store)).then(
        (s) => {
          service = s;
          send({ type: "ready", port: s.port });
        },
        (error) => send({ type: "error", error: errorMessage(error) }, () => process.exit(1)),
      );
    } else if (message.type === "sample") send(sample());
    else if (message.type === "stop") {
      void (service?.stop() ?? Promise.resolve()).finally(() =>
        send({ type: "stopped" }, () => process.exit(0)),
      );
    }
  });
  // The parent is gone (interrupted): do not linger.
  process.on("disconnect", () => process.exit(0));
}

/** The parent's handle on one worker: request/response over IPC, one message type at a time. */
function spawnWorker(children: Set<ChildProcess>) {
  const child = fork(SCRIPT, [], {
    env: { ...process.env, [WORKER_ENV]: "1" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  children.add(child);
  let exited: string | undefined;
  const waiting = new Set<(message: FromWorker | undefined) => void>();
  child.on("message", (message: FromWorker) => {
    for (const w of [...waiting]) w(message);
  });
  child.once("exit", (code, signal) => {
    children.delete(child);
    exited = `the service worker exited (${signal ?? `code ${code}`})`;
    for (const w of [...waiting]) w(undefined);
  });
  const request = <T extends FromWorker["type"]>(
    message: ToWorker,
    expect: T,
    timeoutMs: number,
  ): Promise<Extract<FromWorker, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const timer = setTimeout(
        () => done(undefined, `no ${expect} from the service worker in ${timeoutMs} ms`),
        timeoutMs,
      );
      const done = (m: FromWorker | undefined, timeout?: string) => {
        clearTimeout(timer);
        waiting.delete(handler);
        if (m?.type === expect) resolve(m as Extract<FromWorker, { type: T }>);
        else if (m?.type === "error") reject(new Error(m.error));
        else reject(new Error(timeout ?? exited ?? `unexpected message ${JSON.stringify(m)}`));
      };
      const handler = (m: FromWorker | undefined) => {
        if (m === undefined || m.type === expect || m.type === "error") done(m);
      };
      waiting.add(handler);
      child.send(message);
    });
  return {
    request,
    kill: () => child.kill(),
    exited: () =>
      exited
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            child.once("exit", () => resolve());
          }),
  };
}

// ---- the load -----------------------------------------------------------------------------------

/** The part of autocannon's API used here (the package ships no types). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  requests: { method: string; path: string; headers: Record<string, string>; body: string }[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const requests = QUESTIONS.map(({ question }) => ({
  method: "POST",
  path: "/api/ask",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ question }),
}));

const answerSchema = z.object({
  found: z.boolean(),
  answer: z.string().min(1),
  mode: z.literal("extractive"),
  citations: z.array(z.object({ quote: z.string() })),
});

/** Every question once, checked: a benchmark of wrong answers would measure nothing. */
async function checkAnswers(port: number): Promise<{ found: number; refusedOutOfScope: number }> {
  let found = 0;
  let refusedOutOfScope = 0;
  for (const { question, inScope } of QUESTIONS) {
    const response = await fetch(`http://127.0.0.1:${port}/api/ask`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question }),
    });
    if (!response.ok) throw new Error(`POST /api/ask "${question}": HTTP ${response.status}`);
    const parsed = answerSchema.safeParse(await response.json());
    if (!parsed.success) {
      throw new Error(`POST /api/ask "${question}": not an extractive answer: ${parsed.error.message}`);
    }
    if (parsed.data.found) found++;
    else if (!inScope) refusedOutOfScope++;
  }
  return { found, refusedOutOfScope };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round1 = (n: number) => Math.round(n * 10) / 10;

async function benchEngine(
  engine: Engine,
  store: StoreConfig,
  args: BenchArgs,
  children: Set<ChildProcess>,
  progress: (message: string) => void,
): Promise<{ run: HttpRun; extras: RunExtras }> {
  const worker = spawnWorker(children);
  try {
    const t = performance.now();
    const { port } = await worker.request({ type: "start", store }, "ready", 300_000);
    progress(`${engine}: service up on 127.0.0.1:${port} in ${Math.round(performance.now() - t)} ms`);
    const checked = await checkAnswers(port);
    const outOfScope = QUESTIONS.filter((q) => !q.inScope).length;
    progress(
      `${engine}: ${QUESTIONS.length} questions answered, ${checked.found} found, ` +
        `${checked.refusedOutOfScope}/${outOfScope} out-of-scope refused`,
    );
    const url = `http://127.0.0.1:${port}`;
    if (args.warmup > 0) {
      progress(`${engine}: warming up for ${args.warmup} s…`);
      await autocannon({ url, connections: args.connections, duration: args.warmup, requests });
    }
    const before = await worker.request({ type: "sample" }, "sample", 10_000);
    progress(`${engine}: ${args.connections} connections for ${args.duration} s…`);
    const result = await autocannon({
      url,
      connections: args.connections,
      duration: args.duration,
      requests,
    });
    const after = await worker.request({ type: "sample" }, "sample", 10_000);
    await worker.request({ type: "stop" }, "stopped", 30_000);
    await worker.exited();
    const run: HttpRun = {
      engine,
      connections: args.connections,
      durationS: result.duration,
      requestsPerSec: result.duration > 0 ? round1(result.requests.total / result.duration) : 0,
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      errors: result.errors,
      non2xx: result.non2xx,
      rssBeforeMB: mb(before.rss),
      rssAfterMB: mb(after.rss),
    };
    const wallMs = after.at - before.at;
    const extras: RunExtras = {
      requests: result.requests.total,
      serverCpuPercent: wallMs > 0 ? Math.round((after.cpuMicros - before.cpuMicros) / 10 / wallMs) : 0,
    };
    return { run, extras };
  } catch (error) {
    worker.kill();
    await worker.exited();
    throw error;
  }
}

// ---- stores -------------------------------------------------------------------------------------

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Things to remove even when a run fails or the benchmark is interrupted. */
const cleanups = new Set<() => Promise<void>>();

async function runCleanups(): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    await cleanup().catch((error) => process.stderr.write(`cleanup failed: ${errorMessage(error)}\n`));
  }
}

async function freshStore(engine: Engine, adminUrl: string): Promise<StoreConfig> {
  if (engine === "pglite") {
    const dir = await mkdtemp(join(tmpdir(), "sotay-bench-http-"));
    cleanups.add(() => rm(dir, { recursive: true, force: true }));
    return { DATA_DIR: dir };
  }
  const name = `sotay_bench_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  cleanups.add(async () => {
    try {
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    } catch (error) {
      throw new Error(`could not drop database ${name}, drop it by hand: ${errorMessage(error)}`);
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { DATABASE_URL: url.toString(), DATA_DIR: tmpdir() };
}

// ---- report -------------------------------------------------------------------------------------

export function formatTable(rows: { run: HttpRun; extras: RunExtras }[]): string {
  const header = [
    "engine",
    "conns",
    "seconds",
    "requests",
    "req/s",
    "p50 ms",
    "p99 ms",
    "errors",
    "non-2xx",
    "RSS before MB",
    "RSS after MB",
    "server CPU %",
  ];
  const cells = rows.map(({ run: r, extras: x }) => [
    r.engine,
    String(r.connections),
    r.durationS.toFixed(1),
    String(x.requests),
    r.requestsPerSec.toFixed(1),
    String(r.p50ms),
    String(r.p99ms),
    String(r.errors),
    String(r.non2xx),
    r.rssBeforeMB.toFixed(1),
    r.rssAfterMB.toFixed(1),
    String(x.serverCpuPercent),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => `${"-".repeat(w + 1)}${i === 0 ? "-" : ":"}`).join("|")}|`;
  return [line(header), rule, ...cells.map(line)].join("\n");
}

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const envParsed = envSchema.safeParse(process.env);
  if (!envParsed.success) {
    const issue = envParsed.error.issues[0];
    process.stderr.write(`Invalid configuration: ${String(issue?.path[0])} ${issue?.message}\n`);
    process.exit(2);
  }
  const env = envParsed.data;
  const adminUrl =
    args["database-url"] ?? env.BENCH_DATABASE_URL ?? env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const explicitEngines = args.engines !== undefined;
  const wanted = args.engines ?? [...ENGINES];

  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    process.stderr.write(`${message}\n`);
  };
  const progress = (message: string) => process.stderr.write(`${message}\n`);
  const children = new Set<ChildProcess>();
  const results: { run: HttpRun; extras: RunExtras }[] = [];
  let failed = false;

  const interrupted = () => {
    process.stderr.write("\ninterrupted: stopping the service and removing the benchmark stores…\n");
    for (const child of children) child.kill();
    void runCleanups().finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);

  try {
    for (const engine of wanted) {
      if (engine === "postgres") {
        try {
          const version = await withAdmin(adminUrl, async (c) => {
            const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
            return rows[0]?.v ?? "?";
          });
          progress(`PostgreSQL ${version} at ${describeUrl(adminUrl)}`);
        } catch (error) {
          const reason = `PostgreSQL at ${describeUrl(adminUrl)} unreachable: ${errorMessage(error)}`;
          if (explicitEngines) {
            note(`postgres failed: ${reason}`);
            failed = true;
          } else note(`postgres skipped: ${reason}`);
          continue;
        }
      }
      try {
        const store = await freshStore(engine, adminUrl);
        try {
          const result = await benchEngine(engine, store, args, children, progress);
          results.push(result);
          const { run } = result;
          progress(
            `${engine}: ${run.requestsPerSec} req/s, p50 ${run.p50ms} ms, p99 ${run.p99ms} ms, ` +
              `${run.errors} errors, ${run.non2xx} non-2xx`,
          );
          if (run.errors > 0 || run.non2xx > 0) {
            note(`${engine}: ${run.errors} errors and ${run.non2xx} non-2xx responses (expected 0)`);
            failed = true;
          }
        } finally {
          await runCleanups();
        }
      } catch (error) {
        note(`${engine} failed: ${errorMessage(error)}`);
        failed = true;
      }
    }
  } finally {
    await runCleanups();
  }

  if (failed) process.exitCode = 1;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ runs: results.map((r) => r.run) })}\n`);
    return;
  }
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  process.stdout.write(
    `HTTP benchmark: POST /api/ask, extractive, ${QUESTIONS.length} questions cycling, ` +
      `${args.warmup} s warm-up. Node ${process.version}, ${availableParallelism()} × ${cpu}; ` +
      "load generator and service share this machine.\n\n",
  );
  process.stdout.write(`${results.length > 0 ? formatTable(results) : "No run completed."}\n`);
  if (notes.length > 0) process.stdout.write(`\n${notes.map((n) => `Note: ${n}`).join("\n")}\n`);
}

if (process.env[WORKER_ENV] === "1" && process.send) runWorker();
else await main();
