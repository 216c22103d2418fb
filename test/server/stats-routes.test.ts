import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer, type Server } from "../../src/server/create-server.ts";
import { vietnamDay } from "../../src/store/stats-store.ts";
import { logSink } from "../helpers/log-sink.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

const TOKEN = "trainer-token-0123456789abcdef";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on them
const json = (res: Response): Promise<any> => res.json();

describe("the trainers' statistics over HTTP", () => {
  let dir: string;
  let app: App;
  let server: Server;
  let closed: Server;
  const logs = logSink();

  const ask = (question: string) =>
    server.request("/api/ask", {
      method: "POST",
      body: JSON.stringify({ question }),
      headers: { "content-type": "application/json" },
    });
  const stats = (query = "", token: string | null = TOKEN, on = server) =>
    on.request(`/api/stats${query}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sotay-stats-"));
    app = await createApp(loadConfig({ DATA_DIR: preparedDataDir(dir) }), createLogger("silent"));
    const deps = {
      answerer: app.answerer,
      store: app.store,
      answers: app.answers,
      options: { logQuestions: false, maxBodyBytes: 16_384 },
    };
    server = createServer({
      ...deps,
      logger: createLogger("info", logs.stream),
      stats: { stats: app.stats, adminToken: TOKEN },
    });
    closed = createServer({ ...deps, logger: createLogger("silent"), stats: { stats: app.stats } });
    for (const q of [
      "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?",
      "ha noi phan dau tang truong kinh te bao nhieu",
      "Giá vàng hôm nay bao nhiêu?",
    ])
      expect((await ask(q)).status).toBe(200);
    // recording does not hold the answer back: wait for the three rows
    for (let i = 0; i < 50; i++) {
      const [row] = await app.store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM answers");
      if (Number(row?.n) >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("does not exist without ADMIN_TOKEN (404)", async () => {
    expect((await stats("", TOKEN, closed)).status).toBe(404);
  });

  it("refuses a missing or wrong token with 401, and logs it without the token", async () => {
    const missing = await stats("", null);
    expect(missing.status).toBe(401);
    expect((await json(missing)).error).toContain("ADMIN_TOKEN");
    const wrong = await stats("", "not-the-token-at-all-0000");
    expect(wrong.status).toBe(401);
    expect(logs.lines.some((l) => l.msg === "statistics refused: wrong or missing admin token")).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain("not-the-token-at-all-0000");
    expect(JSON.stringify(logs.lines)).not.toContain(TOKEN);
  });

  it("shows what was asked on the page, grouped, and what the documents could not answer", async () => {
    const res = await stats("?days=7&channel=web");
    expect(res.status).toBe(200);
    const s = await json(res);
    expect(s).toMatchObject({
      channel: "web",
      to: vietnamDay(new Date()),
      totals: { asked: 3, unanswered: 1 },
    });
    expect(s.top[0]).toEqual({
      question: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?",
      variants: ["ha noi phan dau tang truong kinh te bao nhieu"],
      asked: 2,
      unanswered: 0,
    });
    expect(s.unanswered.map((g: { question: string }) => g.question)).toEqual([
      "Giá vàng hôm nay bao nhiêu?",
    ]);
    expect(s.perDay).toHaveLength(7);
    expect(s.sections[0].cited).toBe(2);
    expect(JSON.stringify(s)).not.toMatch(/user/i);
  });

  it("exports CSV a spreadsheet reads in Vietnamese", async () => {
    const res = await stats("?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(
      /attachment; filename="thong-ke-\d{4}-\d{2}-\d{2}-/,
    );
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the byte-order mark
    const text = bytes.toString("utf8");
    expect(text.startsWith("\uFEFFmuc,noi_dung")).toBe(true);
    expect(text).toContain(
      "hoi_nhieu_nhat,Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?,ha noi phan dau tang truong kinh te bao nhieu,2,0,",
    );
    expect(text).toContain("chua_tra_loi_duoc,Giá vàng hôm nay bao nhiêu?,,1,1,");
  });

  it("rejects a malformed period with 400 and says why", async () => {
    for (const q of [
      "?from=2026-13-45",
      "?from=2026-12-05&to=2026-12-01",
      "?channel=fax",
      "?days=0",
      "?x=1",
    ]) {
      const res = await stats(q);
      expect(res.status, q).toBe(400);
      expect((await json(res)).error).toMatch(/^Yêu cầu không hợp lệ/);
    }
  });
});
