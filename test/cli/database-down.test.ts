import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { type Entry, entryArgs } from "../helpers/entry.ts";

/** A port nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("command lines with the database down", () => {
  it.each([
    ["src/cli/ask.ts", ["Ba đột phá chiến lược là gì?"]],
    ["src/cli/targets.ts", []],
    ["src/cli/quiz.ts", []],
    ["src/cli/studypack.ts", []],
    ["ingest/cli.ts", []],
  ] as [Entry, string[]][])(
    "%s says so in one line, without a stack trace, and exits 1",
    async (entry, args) => {
      const port = await closedPort();
      const result = spawnSync(process.execPath, [...entryArgs(entry), ...args], {
        env: {
          ...process.env,
          DATABASE_URL: `postgres://sotay:secret-pw@127.0.0.1:${port}/sotay`,
          DATABASE_START_TIMEOUT_MS: "0",
          LOG_LEVEL: "error",
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines.at(-1)).toMatch(
        /^The database (\(PostgreSQL at 127\.0\.0\.1:\d+\/sotay\) is|became) unreachable/,
      );
      expect(lines.at(-1)).toContain("DATABASE_URL");
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack frames
      expect(result.stderr).not.toContain("secret-pw");
    },
  );
});
