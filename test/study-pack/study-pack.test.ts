import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer, type Server } from "../../src/server/create-server.ts";
import { newAnswerId } from "../../src/store/answer-store.ts";
import { escapeMarkdown, type StudyPack, studyPackFilename } from "../../src/study-pack/study-pack.ts";
import { seeded } from "../helpers/pglite-folder.ts";

const TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";

let app: App;
let server: Server;

beforeAll(async () => {
  app = await createApp(loadConfig({ DATA_DIR: "memory://" }), createLogger("silent"), seeded());
  server = createServer({
    answerer: app.answerer,
    store: app.store,
    logger: createLogger("silent"),
    study: { targets: app.targets, quizzes: app.quizzes, studyPacks: app.studyPacks },
    options: { logQuestions: false, maxBodyBytes: 16_384 },
  });
});
afterAll(async () => {
  await app?.close();
});

/** The Markdown between a "## " heading and the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const next = markdown.indexOf("\n## ", start + 4);
  return markdown.slice(start, next < 0 ? undefined : next);
}

/** Every [n] of the pack names a listed source whose quote is a sentence of a stored passage. */
async function expectCitationsResolve(pack: StudyPack) {
  const markers = new Set([...pack.markdown.matchAll(/(?<!\\)\[(\d+)\]/g)].map((m) => Number(m[1])));
  expect(markers.size).toBeGreaterThan(0);
  expect([...markers].sort((a, b) => a - b)).toEqual(pack.citations.map((c) => c.n));
  for (const c of pack.citations) {
    const view = await app.store.getPassage(c.chunkId);
    expect(view, `passage of [${c.n}]`).toBeDefined();
    expect(view?.passage.text).toContain(c.quote);
    expect(view?.document.title).toBe(c.document);
    expect(pack.markdown).toContain(escapeMarkdown(c.quote));
  }
}

describe("study packs", () => {
  it("for a topic: title, cited key points, its targets, five discussion questions, a ten-question quiz with answers, sources", async () => {
    const pack = await app.studyPacks.build("tăng trưởng kinh tế");
    expect(pack.found).toBe(true);
    expect(pack.filename).toBe("bai-hoc-tang-truong-kinh-te.md");
    expect(pack.markdown.startsWith("# Bài học: Tăng trưởng kinh tế\n")).toBe(true);
    const points = section(pack.markdown, "1. Những điểm chính");
    expect(points).toContain("phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.” [");
    const targets = section(pack.markdown, "2. Các chỉ tiêu");
    expect(targets).toContain("| Tăng trưởng kinh tế | từ 11% trở lên | 2026-2031 | [");
    const discussion = section(pack.markdown, "3. Câu hỏi thảo luận");
    expect(discussion.match(/^\d\. /gm)).toHaveLength(5);
    expect(pack.discussion[0]?.text).toContain("tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    const quiz = section(pack.markdown, "4. Trắc nghiệm (10 câu)");
    expect(quiz.match(/^\*\*Câu \d+\*\*/gm)).toHaveLength(10);
    expect(quiz.match(/^- [ABCD]\. /gm)).toHaveLength(40);
    const key = quiz.slice(quiz.indexOf("### Đáp án"));
    expect(key.match(/^\d+\. \*\*[ABCD]\*\*\. /gm)).toHaveLength(10);
    pack.quiz.forEach((q, i) => {
      expect(key).toContain(
        `${i + 1}. **${"ABCD"[q.correct]}**. ${escapeMarkdown(q.options[q.correct] as string)}: “`,
      );
    });
    const sources = section(pack.markdown, "5. Nguồn");
    expect(sources).toContain(`**[1]** ${TITLE}`);
    expect(sources).toContain(
      "<https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.984469.html>",
    );
    await expectCitationsResolve(pack);
  });

  it("for the whole corpus without a topic, and the same pack every time", async () => {
    const pack = await app.studyPacks.build();
    expect(pack.title).toBe(
      "Bài học: Chương trình hành động thực hiện Nghị quyết Đại hội XIV của Đảng (toàn bộ tài liệu)",
    );
    expect(pack.filename).toBe("bai-hoc-toan-bo.md");
    expect(pack.keyPoints.length).toBeGreaterThanOrEqual(5);
    expect(pack.targets.map((t) => t.value)).toEqual(
      expect.arrayContaining(["11%", "43", "212", "1.605", "1.662.336"]),
    );
    expect(pack.quiz).toHaveLength(10);
    expect(pack.discussion).toHaveLength(5);
    await expectCitationsResolve(pack);
    expect((await app.studyPacks.build()).markdown).toBe(pack.markdown);
  });

  it("includes what members asked most about the topic, with the gaps, and no one's id", async () => {
    const before = await app.studyPacks.build("tăng trưởng kinh tế");
    expect(before.markdown).not.toContain("### Đảng viên hỏi nhiều");
    const record = (question: string, found: boolean, userId: string) =>
      app.answers.record({
        id: newAnswerId(),
        channel: "telegram",
        userId,
        question,
        answer: { question, answer: "", found, mode: "extractive", citations: [], ms: 1 },
      });
    await record("Tăng trưởng kinh tế của Hà Nội là bao nhiêu?", true, "9001");
    await record("tang truong kinh te cua ha noi la bao nhieu", true, "9002");
    await record("Tăng trưởng kinh tế quý I đạt bao nhiêu?", false, "9003");
    await record("Ai là Bí thư Thành ủy?", true, "9004");
    const pack = await app.studyPacks.build("tăng trưởng kinh tế");
    const discussion = section(pack.markdown, "3. Câu hỏi thảo luận");
    expect(discussion).toContain(
      "### Đảng viên hỏi nhiều (90 ngày qua)\n\n" +
        "1. Tăng trưởng kinh tế của Hà Nội là bao nhiêu? (2 lần)\n" +
        "2. Tăng trưởng kinh tế quý I đạt bao nhiêu? (1 lần, 1 lần tài liệu chưa trả lời được)",
    );
    expect(discussion).not.toContain("Bí thư Thành ủy?");
    expect(pack.markdown).not.toMatch(/900[1-4]/);
    expect(pack.asked.map((g) => g.asked)).toEqual([2, 1]);
  });

  it("says plainly when the documents do not cover the topic", async () => {
    const pack = await app.studyPacks.build("bóng đá");
    expect(pack.found).toBe(false);
    expect(pack.citations).toEqual([]);
    expect(pack.markdown).toContain("Tài liệu hiện có không đề cập đến chủ đề “bóng đá”");
  });

  it("shows corpus text literally in Markdown and names files safely", () => {
    expect(escapeMarkdown("Điều *1* [a](b) <x> | #")).toBe("Điều \\*1\\* \\[a\\](b) \\<x\\> \\| \\#");
    expect(studyPackFilename("Đột phá chiến lược / ../etc")).toBe("bai-hoc-dot-pha-chien-luoc-etc.md");
  });
});

describe("HTTP: /api/targets, /api/quiz, /api/studypack", () => {
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies and assert on them
  const json = (res: Response): Promise<any> => res.json();

  it("lists targets filtered by a keyword without diacritics", async () => {
    const res = await server.request(`/api/targets?q=${encodeURIComponent("tang truong")}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.keyword).toBe("tang truong");
    expect(body.targets).toEqual([
      expect.objectContaining({
        value: "11%",
        kind: "percentage",
        qualifier: "từ ... trở lên",
        period: "2026-2031",
      }),
    ]);
  });

  it("serves a quiz and refuses a bad count in Vietnamese", async () => {
    const res = await server.request(`/api/quiz?topic=${encodeURIComponent("đột phá")}&count=3&seed=2`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.questions).toHaveLength(3);
    expect(body.questions[0]).toMatchObject({ options: expect.any(Array), correct: expect.any(Number) });
    const bad = await server.request("/api/quiz?count=500");
    expect(bad.status).toBe(400);
    expect((await json(bad)).error).toMatch(/^Yêu cầu không hợp lệ: count: /);
  });

  it("downloads the study pack as a Markdown attachment", async () => {
    const res = await server.request(`/api/studypack?topic=${encodeURIComponent("đột phá chiến lược")}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="bai-hoc-dot-pha-chien-luoc.md"; filename*=UTF-8''bai-hoc-dot-pha-chien-luoc.md`,
    );
    const markdown = await res.text();
    expect(markdown.startsWith("# Bài học: Đột phá chiến lược")).toBe(true);
    expect(markdown).toContain("ba đột phá chiến lược về thể chế, quy hoạch, mô hình phát triển mới");
  });
});
