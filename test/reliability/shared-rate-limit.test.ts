import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { entryArgs } from "../helpers/entry.ts";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

/** Starts the service (the bundled main.ts) and resolves with its port once it says it listens. */
function start(env: Record<string, string>): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, entryArgs("src/main.ts"), {
    env: { ...process.env, ...env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
  });
  let output = "";
  const port = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address logged:\n${output}`)), 150_000);
    child.stderr?.on("data", (d) => {
      output += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m && output.includes("channels on")) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, port };
}

describe("rate limits across replicas", () => {
  const children: ChildProcess[] = [];
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const f of cleanup) await f().catch(() => {});
  });

  it.skipIf(!TEST_DATABASE_URL)(
    "two service processes on one PostgreSQL give a client one allowance, not two",
    { timeout: 240_000 },
    async () => {
      const name = `sotay_t_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(TEST_DATABASE_URL as string);
      url.pathname = `/${name}`;
      const dir = await mkdtemp(join(tmpdir(), "sotay-replicas-"));
      cleanup.push(async () => {
        await rm(dir, { recursive: true, force: true });
        const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      });
      const env = { DATABASE_URL: url.toString(), DATA_DIR: join(dir, "data"), API_RATE_LIMIT: "3" };
      // The first ingests the corpus; the second finds it there.
      const a = start(env);
      children.push(a.child);
      const portA = await a.port;
      const b = start(env);
      children.push(b.child);
      const portB = await b.port;

      const ask = async (port: number) =>
        (
          await fetch(`http://127.0.0.1:${port}/api/ask`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ question: "Ba đột phá chiến lược là gì?" }),
          })
        ).status;
      const statuses = [
        await ask(portA),
        await ask(portB),
        await ask(portA),
        await ask(portB),
        await ask(portA),
      ];
      // three a minute for this client, wherever the request lands
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    },
  );
});
