import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { formatAnswerText } from "../../src/channels/zalo/format.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { vietnamDay } from "../../src/store/stats-store.ts";
import { seeded } from "../helpers/pglite-folder.ts";

/**
 * Versions of a plan (front matter `effective` and `supersedes`, migration 016): the 2026 plan
 * replaces the 2025 one; a 2099 plan that will replace the 2026 one is not in force yet.
 */
const PLAN_2025 = `---
title: Kế hoạch phát triển giao thông năm 2025
publisher: UBND Thành phố Hà Nội
published: 2025-01-10
effective: 2025-01-10
---

## Mục tiêu

Thành phố phấn đấu đến năm 2030 đưa vào khai thác 8 tuyến đường sắt đô thị. Mỗi năm trồng mới 1.000 cây xanh trên các tuyến phố chính của nội đô.
`;

const PLAN_2026 = `---
title: Kế hoạch phát triển giao thông năm 2026
publisher: UBND Thành phố Hà Nội
published: 2025-12-20
effective: 2026-01-01
supersedes: ke-hoach-2025.md
---

## Mục tiêu

Thành phố phấn đấu đến năm 2030 đưa vào khai thác 12 tuyến đường sắt đô thị. Tỷ lệ vận tải hành khách công cộng đạt 30% nhu cầu đi lại.
`;

const PLAN_2099 = `---
title: Kế hoạch phát triển giao thông năm 2099
published: 2026-11-01
effective: 2099-01-01
supersedes: Kế hoạch phát triển giao thông năm 2026
---

## Mục tiêu

Thành phố phấn đấu đến năm 2030 đưa vào khai thác 20 tuyến đường sắt đô thị.
`;

let dir: string;
let app: App;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sotay-versions-"));
  await writeFile(join(dir, "ke-hoach-2025.md"), PLAN_2025);
  await writeFile(join(dir, "ke-hoach-2026.md"), PLAN_2026);
  await writeFile(join(dir, "ke-hoach-2099.md"), PLAN_2099);
  app = await createApp(
    loadConfig({ DATA_DIR: "memory://", CORPUS_DIR: dir, LOG_LEVEL: "silent" }),
    createLogger("silent"),
    seeded(),
  );
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("document versions", () => {
  it("answers from the version in force when versions say much the same", async () => {
    // Without versions this was answered "20 tuyến" from the 2099 plan, with the 2025 plan's "8" as [2].
    const answer = await app.answerer.answer({
      question: "Thành phố phấn đấu đưa vào khai thác bao nhiêu tuyến đường sắt đô thị?",
    });
    expect(answer.found).toBe(true);
    expect(answer.answer).toMatch(/^\*\*12 tuyến đường sắt đô thị\*\* — /);
    // The older and the future plan restate the sentence: neither is quoted beside it.
    expect(answer.citations.map((c) => c.document)).toEqual(["Kế hoạch phát triển giao thông năm 2026"]);
    expect(answer.answer).not.toContain("Lưu ý");
  });

  it("says so when the answer comes from a superseded version (only it covers the question)", async () => {
    const answer = await app.answerer.answer({ question: "Mỗi năm trồng mới bao nhiêu cây xanh?" });
    expect(answer.found).toBe(true);
    expect(answer.citations[0]).toMatchObject({
      document: "Kế hoạch phát triển giao thông năm 2025",
      notInForce: {
        supersededBy: { document: "Kế hoạch phát triển giao thông năm 2026", effective: "2026-01-01" },
      },
    });
    const note =
      "Lưu ý: nguồn [1] trích từ “Kế hoạch phát triển giao thông năm 2025”, văn bản đã được thay thế bởi " +
      "“Kế hoạch phát triển giao thông năm 2026” (có hiệu lực từ 01/01/2026).";
    expect(answer.answer).toContain(note);
    // Every channel shows the answer text, so every channel shows the note.
    expect(formatAnswerText(answer)).toContain(note);
  });

  it("ranks a version not yet in effect below the one in force, and marks it", async () => {
    const { passages } = await app.retriever.retrieve("20 tuyến đường sắt đô thị", { k: 3 });
    const future = passages.find((p) => p.document.title === "Kế hoạch phát triển giao thông năm 2099");
    expect(future?.document).toMatchObject({ inForce: false, effective: "2099-01-01" });
    expect(future?.document.supersededBy).toBeUndefined();
    // The 2026 plan is still in force: the 2099 one that names it has not taken effect.
    const current = passages.find((p) => p.document.title === "Kế hoạch phát triển giao thông năm 2026");
    expect(current?.document.inForce).toBeUndefined();
  });

  it("lists as targets only the figures of documents in force", async () => {
    const { targets } = await app.targets.list("đường sắt");
    expect(targets.map((t) => t.value)).toEqual(["12"]);
  });

  it("draws quizzes and the study pack from documents in force only", async () => {
    const quiz = await app.quizzes.generate({ count: 5 });
    expect(quiz.questions.length).toBeGreaterThan(0);
    for (const q of quiz.questions) {
      expect(q.citation.document).toBe("Kế hoạch phát triển giao thông năm 2026");
    }
    const pack = await app.studyPacks.build();
    expect(pack.markdown).toContain("12 tuyến đường sắt đô thị");
    expect(pack.markdown).not.toContain("8 tuyến");
    expect(pack.markdown).not.toContain("20 tuyến");
  });
});

describe("a version that takes effect while the service runs", () => {
  it("counts days in Việt Nam, whatever the database's time zone", async () => {
    const db = app.store.db;
    const today = vietnamDay(new Date());
    for (const zone of ["-12", "14", "0"]) {
      await db.exec(`SET TIME ZONE ${zone}`);
      const [row] = await db.query<{ day: string }>("SELECT vietnam_today()::text AS day");
      // (a second either side of midnight in Hà Nội could tell them apart)
      expect([today, vietnamDay(new Date())]).toContain(row?.day);
    }
  });

  it("is answered from once its day comes, not from answers kept the day before", async () => {
    const tomorrow = vietnamDay(new Date(Date.now() + 86_400_000));
    const folder = await mkdtemp(join(tmpdir(), "sotay-effective-"));
    await writeFile(join(folder, "ke-hoach-2025.md"), PLAN_2025);
    await writeFile(
      join(folder, "ke-hoach-moi.md"),
      PLAN_2026.replace("effective: 2026-01-01", `effective: ${tomorrow}`).replace(
        "title: Kế hoạch phát triển giao thông năm 2026",
        "title: Kế hoạch phát triển giao thông mới",
      ),
    );
    const live = await createApp(
      loadConfig({ DATA_DIR: "memory://", CORPUS_DIR: folder, LOG_LEVEL: "silent" }),
      createLogger("silent"),
      seeded(),
    );
    try {
      const ask = () =>
        live.answerer.answer({
          question: "Thành phố phấn đấu đưa vào khai thác bao nhiêu tuyến đường sắt đô thị?",
        });
      const before = await ask();
      expect(before.answer).toMatch(/^\*\*8 tuyến/);
      expect((await ask()).answer).toBe(before.answer); // kept, as the same question the same day
      // Midnight in Hà Nội: the database's clock for document versions moves to tomorrow.
      await live.store.db.exec(
        `CREATE OR REPLACE FUNCTION vietnam_today() RETURNS date LANGUAGE sql STABLE RETURN DATE '${tomorrow}'`,
      );
      await new Promise((r) => setTimeout(r, 1_100)); // the date is read once a second at most
      const after = await ask();
      expect(after.answer).toMatch(/^\*\*12 tuyến/);
      expect(after.citations[0]?.document).toBe("Kế hoạch phát triển giao thông mới");
    } finally {
      await live.close();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
