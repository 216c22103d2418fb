import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { z } from "zod";
import { startFakeZalo } from "../test/helpers/zalo.ts";
import { corpusSentences, distinctQuestions, type LoadQuestion } from "./distinct-questions.ts";

/**
 * `npm run bench:load`: the service exactly as `npm start` runs it (src/main.ts in a child
 * process, extractive answers, the Zalo channel in webhook mode against a fake Zalo Bot API
 * server), under 50 concurrent connections for 30 s against POST /api/ask and against the Zalo
 * webhook, three times each, on PostgreSQL and on PGlite. Reports errors, throughput, latency and
 * the service's RSS before and after every run (growth beyond noise would be a leak).
 */

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));
const DEFAULT_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const ZALO_TOKEN = "3141592653589793238:ZaloBenchTokenForLoadTestsOnly_x9Q";
const ZALO_SECRET = "bench-zalo-webhook-secret-4c1d";
const WEBHOOK_PATH = "/zalo/webhook";

const QUESTIONS = [
  "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?",
  "Ba đột phá chiến lược là gì?",
  "Ai là Bí thư Thành ủy Hà Nội?",
  "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
  "Năm định hướng chiến lược lớn của Hà Nội gồm những gì?",
  "chi tieu tang truong cua ha noi la bao nhieu",
  "bau cu dai bieu hdnd cac cap nhiem ky nao",
  "Giá vàng hôm nay bao nhiêu?",
  "cach nau pho bo ha noi",
  "Ai là Chủ tịch UBND TP Hà Nội?",
];
/** Zalo members sending the messages: each may send 6 per 10 s, the rest is refused politely. */
const ZALO_USERS = 200;

const USAGE = `Usage: npm run bench:load -- [--engines postgres,pglite] [--connections N] [--duration S]
                          [--runs N] [--targets api,zalo] [--distinct N] [--cpu-prof DIR]
                          [--env KEY=VALUE,...]
                          [--database-url URL] [--json]

Starts src/main.ts (extractive, API_RATE_LIMIT=0, LOG_LEVEL=warn, Zalo webhook against a fake Zalo
server) on a fresh store per engine, then for each target runs autocannon N times.
  --engines LIST      postgres, pglite (default both)
  --connections N     concurrent connections (default 50)
  --duration S        seconds per run (default 30)
  --runs N            runs per target (default 3)
  --targets LIST      api, zalo (default both)
  --distinct N        ask N different questions made from the corpus (bench/distinct-questions.ts:
                      paraphrases, no diacritics, follow-ups in conversations, out of scope), each
                      once until all are used, so that the answer cache is not what is measured;
                      without it, 10 questions over and over
  --cpu-prof DIR      run the service with node --cpu-prof, profiles written to DIR on exit
  --env LIST          settings for the service (KEY=VALUE,...), to compare one setting's effect
                      against a run without it (PASSAGE_CACHE_SIZE=0)
  --database-url URL  PostgreSQL admin URL for the throw-away database (default $TEST_DATABASE_URL or ${DEFAULT_ADMIN_URL})
  --json              one JSON object on standard output
Exit code 1 when a request failed (error, timeout or non-2xx).`;

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(",").map((v) => v.trim()))
    .pipe(z.array(z.enum(values)).min(1));

const argsSchema = z.object({
  engines: list(["postgres", "pglite"] as const).default(["postgres", "pglite"]),
  connections: z.coerce.number().int().min(1).max(1000).default(50),
  duration: z.coerce.number().int().min(1).max(3600).default(30),
  runs: z.coerce.number().int().min(1).max(20).default(3),
  targets: list(["api", "zalo"] as const).default(["api", "zalo"]),
  distinct: z.coerce.number().int().min(1).max(1_000_000).optional(),
  "cpu-prof": z.string().min(1).optional(),
  env: z
    .string()
    .transform((s) => s.split(",").map((kv) => kv.trim()))
    .pipe(z.array(z.string().regex(/^[A-Z][A-Z0-9_]*=[^,]*$/, "--env takes KEY=VALUE,...")))
    .transform((kvs) =>
      Object.fromEntries(kvs.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)])),
    )
    .default({}),
  "database-url": z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface LoadRun {
  engine: string;
  target: "api" | "zalo";
  run: number;
  requests: number;
  requestsPerSec: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  non2xx: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  /** the service's CPU time (user + system) per request answered, ms */
  cpuMsPerRequest: number;
  /** requests answered per second of the service's CPU: per core */
  perCoreSecond: number;
  /** PostgreSQL's server processes' CPU per request answered, ms (0 on PGlite: it is in the service) */
  postgresCpuMsPerRequest: number;
  /** Zalo only: replies the fake Zalo server received during the run and until the backlog drained */
  zaloReplies?: number;
  loadAverage: number;
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function startService(env: Record<string, string>, port: number, cpuProfDir?: string) {
  const profile = cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", cpuProfDir] : [];
  const child: ChildProcess = spawn(
    process.execPath,
    [...profile, "--import", "tsx", join(REPO_ROOT, "src/main.ts")],
    {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        API_RATE_LIMIT: "0",
        CORPUS_DIR: join(REPO_ROOT, "corpus"),
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  // Interrupted (Ctrl-C, a kill): the service must not outlive the benchmark.
  const stopChild = () => {
    child.kill("SIGKILL");
    process.exit(130);
  };
  process.once("SIGINT", stopChild);
  process.once("SIGTERM", stopChild);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr = (stderr + d).slice(-4_000);
  });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}): ${stderr}`);
    if (Date.now() > deadline) throw new Error("the service did not become ready in 300 s");
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid as number,
    async stop() {
      process.off("SIGINT", stopChild);
      process.off("SIGTERM", stopChild);
      child.kill("SIGTERM");
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    },
  };
}

/** The questions asked, in order: the fixed ten, or --distinct N made from the corpus. */
let stream: LoadQuestion[] = QUESTIONS.map((question) => ({ question, kind: "topic" }));
let streamAt = 0;
const nextQuestion = (): LoadQuestion => stream[streamAt++ % stream.length] as LoadQuestion;

let messageCounter = 0;
function zaloEvent(): string {
  const n = messageCounter++;
  const q = nextQuestion();
  // a conversation's questions come from one member, so its follow-ups are read against it
  const user = q.conversationId
    ? `bench-${q.conversationId}`
    : `benchuser${String(n % ZALO_USERS).padStart(8, "0")}`;
  return JSON.stringify({
    event_name: "message.text.received",
    message: {
      message_id: `bench${randomBytes(6).toString("hex")}${n}`,
      date: Date.now(),
      chat: { id: user, chat_type: "PRIVATE" },
      from: { id: user, display_name: "Người dùng thử tải", is_bot: false },
      text: q.question,
    },
  });
}

function askBody(): string {
  const q = nextQuestion();
  return JSON.stringify({
    question: q.question,
    ...(q.conversationId ? { conversationId: q.conversationId } : {}),
  });
}

/** CPU seconds (user + system) in a /proc/<pid>/stat line: utime and stime, in 100 Hz ticks. */
function statCpuSeconds(stat: string): number {
  const fields = stat.split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds (user + system) every PostgreSQL server process on this machine has used so far. */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.includes("(postgres)")) total += statCpuSeconds(stat);
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** CPU seconds (user + system) a process has used so far (Linux /proc). */
function cpuSecondsOf(pid: number): number {
  try {
    return statCpuSeconds(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return Number.NaN;
  }
}

async function load(target: "api" | "zalo", port: number, connections: number, duration: number) {
  const url = `http://127.0.0.1:${port}`;
  if (target === "api") {
    return autocannon({
      url,
      connections,
      duration,
      requests: [
        {
          method: "POST",
          path: "/api/ask",
          headers: { "content-type": "application/json" },
          setupRequest: (request: Record<string, unknown>) => ({ ...request, body: askBody() }),
        },
      ],
    });
  }
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: "POST",
        path: WEBHOOK_PATH,
        headers: { "content-type": "application/json", "x-bot-api-secret-token": ZALO_SECRET },
        setupRequest: (request: Record<string, unknown>) => ({ ...request, body: zaloEvent() }),
      },
    ],
  });
}

async function main() {
  let args: z.infer<typeof argsSchema>;
  try {
    const { values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        engines: { type: "string" },
        connections: { type: "string" },
        duration: { type: "string" },
        runs: { type: "string" },
        targets: { type: "string" },
        distinct: { type: "string" },
        "cpu-prof": { type: "string" },
        env: { type: "string" },
        "database-url": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    args = argsSchema.parse(values);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const adminUrl = args["database-url"] ?? process.env.TEST_DATABASE_URL ?? DEFAULT_ADMIN_URL;
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  const runs: LoadRun[] = [];
  const fake = await startFakeZalo({ token: ZALO_TOKEN });
  let failed = false;
  try {
    for (const engine of args.engines) {
      const cleanup: (() => Promise<void>)[] = [];
      try {
        const env: Record<string, string> = {
          ...args.env,
          ZALO_BOT_TOKEN: ZALO_TOKEN,
          ZALO_API_ROOT: fake.apiRoot,
          ZALO_WEBHOOK_URL: `https://bench.example.org${WEBHOOK_PATH}`,
          ZALO_WEBHOOK_SECRET: ZALO_SECRET,
        };
        if (engine === "pglite") {
          const dir = await mkdtemp(join(tmpdir(), "sotay-bench-load-"));
          cleanup.push(() => rm(dir, { recursive: true, force: true }));
          env.DATA_DIR = dir;
        } else {
          const name = `sotay_bench_${randomBytes(6).toString("hex")}`;
          const admin = new pg.Client({ connectionString: adminUrl });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${name}`);
          await admin.end();
          cleanup.push(async () => {
            const c = new pg.Client({ connectionString: adminUrl });
            await c.connect();
            await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await c.end();
          });
          const url = new URL(adminUrl);
          url.pathname = `/${name}`;
          env.DATABASE_URL = url.toString();
        }
        const port = await freePort();
        if (args.distinct) {
          stream = distinctQuestions(corpusSentences(join(REPO_ROOT, "corpus")), args.distinct, 1);
          streamAt = 0;
        }
        const service = await startService(env, port, args["cpu-prof"]);
        cleanup.unshift(() => service.stop());
        progress(
          `${engine}: service up on 127.0.0.1:${port}, RSS ${mb(rssOf(service.pid))} MB; warming up 3 s`,
        );
        for (const target of args.targets) await load(target, port, args.connections, 3);
        await waitForZaloBacklog(fake);
        for (let run = 1; run <= args.runs; run++) {
          for (const target of args.targets) {
            const before = rssOf(service.pid);
            const cpuBefore = cpuSecondsOf(service.pid);
            const pgBefore = postgresCpuSeconds();
            const sentBefore = fake.of("sendMessage").length;
            const result = await load(target, port, args.connections, args.duration);
            if (target === "zalo") await waitForZaloBacklog(fake);
            const after = rssOf(service.pid);
            const cpu = cpuSecondsOf(service.pid) - cpuBefore;
            const pgCpu = postgresCpuSeconds() - pgBefore;
            const answered =
              target === "zalo" ? fake.of("sendMessage").length - sentBefore : result.requests.total;
            const r: LoadRun = {
              engine,
              target,
              run,
              requests: result.requests.total,
              requestsPerSec: Math.round((result.requests.total / result.duration) * 10) / 10,
              p50ms: result.latency.p50,
              p99ms: result.latency.p99,
              errors: result.errors + result.timeouts,
              non2xx: result.non2xx,
              rssBeforeMB: mb(before),
              rssAfterMB: mb(after),
              cpuMsPerRequest: Math.round(((cpu * 1000) / Math.max(1, answered)) * 100) / 100,
              perCoreSecond: Math.round((answered / Math.max(0.01, cpu)) * 10) / 10,
              postgresCpuMsPerRequest: Math.round(((pgCpu * 1000) / Math.max(1, answered)) * 100) / 100,
              ...(target === "zalo" ? { zaloReplies: fake.of("sendMessage").length - sentBefore } : {}),
              loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
            };
            runs.push(r);
            if (r.errors > 0 || r.non2xx > 0) failed = true;
            progress(
              `${engine} ${target} run ${run}: ${r.requestsPerSec} req/s, p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, ` +
                `${r.errors} errors, ${r.non2xx} non-2xx, RSS ${r.rssBeforeMB} → ${r.rssAfterMB} MB, ` +
                `${r.cpuMsPerRequest} ms CPU a request (${r.perCoreSecond} a second per core) + ${r.postgresCpuMsPerRequest} ms in PostgreSQL` +
                `${r.zaloReplies !== undefined ? `, ${r.zaloReplies} Zalo replies` : ""}, load ${r.loadAverage}`,
            );
          }
        }
      } catch (error) {
        failed = true;
        progress(`${engine} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        for (const step of cleanup) await step().catch(() => {});
      }
    }
  } finally {
    await fake.close();
  }
  if (failed) process.exitCode = 1;
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ runs })}\n`);
    return;
  }
  const header =
    "| store | target | run | req/s | p50 ms | p99 ms | errors | non-2xx | RSS MB before → after | CPU ms a request | per core-second | + PostgreSQL CPU ms | load avg |";
  const rows = runs.map(
    (r) =>
      `| ${r.engine} | ${r.target === "api" ? "POST /api/ask" : "Zalo webhook"} | ${r.run} | ${r.requestsPerSec} | ${r.p50ms} | ${r.p99ms} | ${r.errors} | ${r.non2xx} | ${r.rssBeforeMB} → ${r.rssAfterMB} | ${r.cpuMsPerRequest} | ${r.perCoreSecond} | ${r.postgresCpuMsPerRequest} | ${r.loadAverage} |`,
  );
  process.stdout.write(
    `Load: ${args.connections} connections × ${args.duration} s per run; Node ${process.version}, ` +
      `${availableParallelism()} × ${cpus()[0]?.model.trim() ?? "CPU"}, load generator on the same machine.\n\n` +
      `${args.distinct ? `${args.distinct} distinct questions (bench/distinct-questions.ts, seed 1).\n\n` : "The same 10 questions over and over (the answer cache answers most).\n\n"}` +
      `${[header, "|---|---|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|", ...rows].join("\n")}\n`,
  );
}

/** Waits until the fake Zalo server stops receiving replies: the service's backlog is done. */
async function waitForZaloBacklog(fake: Awaited<ReturnType<typeof startFakeZalo>>) {
  let last = -1;
  for (let i = 0; i < 600; i++) {
    const now = fake.calls.length;
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 500));
  }
}

await main();
