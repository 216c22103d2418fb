/**
 * Nothing lost across a restart: feedback, conversations and the corpus index written by one
 * process are read back by the next one, on both engines (PGlite files in DATA_DIR, PostgreSQL).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { entryArgs } from "../helpers/entry.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

function child(
  mode: "write" | "read",
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [...entryArgs("test/helpers/durability-child.ts"), mode], {
      env: { ...process.env, ...env },
    });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d) => {
      stdout += d;
    });
    c.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => c.kill("SIGKILL"), 120_000);
    c.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe.each([
  { engine: "pglite", skip: false },
  { engine: "postgres", skip: !TEST_DATABASE_URL },
])("durability on $engine", ({ engine, skip }) => {
  it.skipIf(skip)(
    "feedback, the conversation and the corpus index written by one process are read back by the next",
    { timeout: 180_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "sotay-durable-"));
      const name = `sotay_t_${randomBytes(5).toString("hex")}`;
      let env: Record<string, string> = { DATA_DIR: join(dir, "data") };
      if (engine === "pglite") preparedDataDir(env.DATA_DIR as string);
      if (engine === "postgres") {
        const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(TEST_DATABASE_URL as string);
        url.pathname = `/${name}`;
        env = { ...env, DATABASE_URL: url.toString() };
      }
      try {
        const write = await child("write", env);
        expect(write.status, write.stderr).toBe(0);
        const read = await child("read", env);
        expect(read.status, read.stderr).toBe(0);
        const found = JSON.parse(read.stdout);
        expect(found.answer).toContain("11%");
        expect(found.votes).toEqual([
          { userId: "123456789", vote: 1 },
          { userId: "223344556", vote: -1 },
        ]);
        expect(found.turns).toEqual(["Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?"]);
        // The follow-up is read against the question asked before the restart.
        expect(found.followUp).toContain("2026-2031");
        expect(found.stats.documents).toBeGreaterThan(0);
        expect(found.stats.chunks).toBeGreaterThan(0);
        // The second process found the index in place: it did not ingest again.
        expect(read.stderr).not.toContain("the store is empty");
      } finally {
        if (engine === "postgres") {
          const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await c.end();
        }
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
