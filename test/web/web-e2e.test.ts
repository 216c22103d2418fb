/**
 * The chat page end to end: the real service (store, retriever, answerer, HTTP server, bundled
 * page) in this process, driven by a real Chromium through playwright-core. Screenshots go to
 * test-artifacts/ (git-ignored) for a human look at the phone and desktop layouts.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ServerType, serve } from "@hono/node-server";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createServer } from "../../src/server/create-server.ts";
import { buildWebAssets } from "../../src/web/build-assets.ts";
import { preparedDataDir } from "../helpers/pglite-folder.ts";

const CHROMIUM = "/usr/bin/chromium";
const ADMIN_TOKEN = "e2e-admin-token-0123456789";
const hasChromium = existsSync(CHROMIUM);
const inCI = Boolean(process.env.CI);
if (!hasChromium && !inCI) {
  console.warn(
    `Web end-to-end test SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium). With CI set it fails instead.`,
  );
}

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = join(root, "test-artifacts");
const DOC_TITLE = "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const XSS = "<script>window.__xss = 1</script><b>đậm</b>";
const WAIT = { timeout: 30_000 };

describe.skipIf(!hasChromium && !inCI)("chat page in Chromium", { timeout: 60_000 }, () => {
  let dataDir: string;
  let app: App;
  let http: ServerType;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];
  const asked: { question: string; conversationId?: string }[] = [];

  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(`${CHROMIUM} is missing: the CI image must run \`apt-get install -y chromium\``);
    }
    await mkdir(artifacts, { recursive: true });
    dataDir = preparedDataDir(await mkdtemp(join(tmpdir(), "sotay-web-e2e-")));
    const config = loadConfig({ DATA_DIR: dataDir, CORPUS_DIR: join(root, "corpus"), LOG_LEVEL: "silent" });
    const logger = createLogger(config.LOG_LEVEL);
    app = await createApp(config, logger);
    const web = await buildWebAssets();
    const server = createServer({
      answerer: app.answerer,
      store: app.store,
      logger,
      web,
      study: { targets: app.targets, quizzes: app.quizzes, studyPacks: app.studyPacks },
      stats: { stats: app.stats, adminToken: ADMIN_TOKEN },
      answers: app.answers,
      options: { logQuestions: config.LOG_QUESTIONS, maxBodyBytes: config.MAX_BODY_BYTES },
    });
    http = serve({ fetch: server.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve, reject) => {
      http.once("listening", resolve);
      http.once("error", reject);
    });
    base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    // reduced motion: no smooth scrolling half-way through a screenshot
    context = await browser.newContext({ viewport: PHONE, locale: "vi-VN", reducedMotion: "reduce" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
    page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
    page.on("request", (request) => {
      if (request.url().endsWith("/api/ask") && request.method() === "POST") {
        asked.push(JSON.parse(request.postData() ?? "{}"));
      }
    });
    await page.goto(base);
    await page.locator("body[data-ready=true]").waitFor(WAIT);
  }, 180_000);

  afterEach(() => {
    expect(consoleErrors, "errors in the page console").toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    if (http) await new Promise((resolve) => http.close(resolve));
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const answers = () => page.locator("#conversation .answer");

  /** Waits for answer number `count` (1-based) and returns it. */
  async function answerNumber(count: number) {
    const answer = answers().nth(count - 1);
    await answer.waitFor(WAIT);
    return answer;
  }

  it("offers example questions and a labelled question box", async () => {
    for (const question of [
      "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
      "Ba đột phá chiến lược là gì?",
      "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
    ]) {
      await expect(page.getByRole("button", { name: question }).count()).resolves.toBe(1);
    }
    await expect(page.getByLabel("Câu hỏi của bạn").evaluate((el) => el.tagName)).resolves.toBe("TEXTAREA");
    await expect(page.locator("#conversation").getAttribute("aria-live")).resolves.toBe("polite");
    await page.screenshot({ path: join(artifacts, "web-welcome.png"), fullPage: true });
  });

  it("answers a question typed with mixed diacritics, with citation markers; copies it as text", async () => {
    const box = page.getByLabel("Câu hỏi của bạn");
    await box.fill("mục tieu tang truong");
    await box.press("Enter");
    const answer = await answerNumber(1);
    await expect(page.locator("#conversation .question-text").first().textContent()).resolves.toBe(
      "mục tieu tang truong",
    );
    expect(await answer.locator(".answer-text").textContent()).toContain("11%");
    expect(await answer.locator(".answer-text button.cite").count()).toBeGreaterThan(0);
    expect(await answer.locator(".source-list .source-item").first().textContent()).toContain(DOC_TITLE);
    await expect(box.inputValue()).resolves.toBe("");

    await page.screenshot({ path: join(artifacts, "web-chat.png"), fullPage: true });
    // The README shows this one: retaken on every run, so it stays what the page looks like.
    await page.screenshot({ path: join(root, "docs", "chat-phone.png"), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(artifacts, "web-chat-desktop.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(artifacts, "web-chat-desktop-dark.png"), fullPage: true });
    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE);

    const copy = answer.getByRole("button", { name: "Sao chép" });
    await copy.click();
    await answer.getByRole("button", { name: "Đã sao chép" }).waitFor(WAIT);
    // (string expressions: the test program has no DOM typings)
    const copied = String(await page.evaluate("navigator.clipboard.readText()"));
    expect(copied).toContain("Hỏi: mục tieu tang truong");
    expect(copied).toContain("11%");
    expect(copied).toMatch(/Nguồn:\n\[1\] Hà Nội tiên phong/);
    expect(copied).toContain("    “");
  });

  it("opens the cited passage with the quoted sentence highlighted", async () => {
    const answer = await answerNumber(1);
    // the marker right after the sentence with the figure
    const index = await answer
      .locator(".answer-text button.cite")
      .evaluateAll((buttons) => buttons.findIndex((b) => b.previousSibling?.textContent?.includes("11%")));
    expect(index).toBeGreaterThanOrEqual(0);
    const marker = answer.locator(".answer-text button.cite").nth(index);
    await marker.click();

    const dialog = page.locator("dialog#source-dialog[open]");
    const mark = dialog.locator(".passage-text mark");
    await mark.waitFor(WAIT);
    expect(await mark.textContent()).toContain("11%");
    expect(await dialog.locator("#source-title").textContent()).toBe(DOC_TITLE);
    expect(await dialog.textContent()).toContain("Kinh tế & Đô thị");
    const link = dialog.getByRole("link", { name: /Xem bài gốc/ });
    await expect(link.getAttribute("href")).resolves.toMatch(/^https:\/\/kinhtedothi\.vn\//);
    await expect(link.getAttribute("rel")).resolves.toBe("noopener noreferrer");
    await expect(link.getAttribute("target")).resolves.toBe("_blank");
    await page.screenshot({ path: join(artifacts, "web-source.png") });

    // Escape closes it and gives the focus back to the marker.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", ...WAIT });
    expect(await marker.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  });

  it("shows markup in a question literally and never runs it", async () => {
    await page.getByLabel("Câu hỏi của bạn").fill(XSS);
    await page.getByRole("button", { name: "Hỏi", exact: true }).click();
    const answer = await answerNumber(2);
    await expect(page.locator("#conversation .question-text").last().textContent()).resolves.toBe(XSS);
    expect(await page.evaluate("typeof window.__xss")).toBe("undefined");
    expect(await page.locator("b").count()).toBe(0);
    expect(await page.evaluate('[...document.scripts].some((s) => s.textContent.includes("__xss"))')).toBe(
      false,
    );
    // nothing in the documents about it: a plain refusal with topics to ask about instead
    expect(await answer.getAttribute("class")).toContain("not-found");
    expect(await answer.locator(".chip").count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, "web-not-found.png"), fullPage: true });
    // both questions were sent in the same conversation
    expect(asked).toHaveLength(2);
    expect(asked[0]?.conversationId).toMatch(/^[\w:.-]+$/);
    expect(asked[1]?.conversationId).toBe(asked[0]?.conversationId);
  });

  it("shows the server's error message in Vietnamese", async () => {
    const error = "Nội dung gửi lên quá lớn (tối đa 16384 byte).";
    await page.route("**/api/ask", (route) =>
      route.fulfill({ status: 413, contentType: "application/json", body: JSON.stringify({ error }) }),
    );
    await page.getByLabel("Câu hỏi của bạn").fill("câu hỏi sẽ bị từ chối");
    await page.getByLabel("Câu hỏi của bạn").press("Enter");
    await page.locator("#conversation .msg.error").getByText(error).waitFor(WAIT);
    await page.unroute("**/api/ask");
    await page.screenshot({ path: join(artifacts, "web-error.png") });
    // Chromium logs every failed response; this one was expected.
    expect(consoleErrors).toEqual([expect.stringContaining("413")]);
    consoleErrors.length = 0;
  });

  it("starts a new conversation with a new id, from an example question", async () => {
    await page.getByRole("button", { name: "Cuộc hội thoại mới" }).click();
    expect(await page.locator("#conversation > *").count()).toBe(0);
    const example = page.getByRole("button", {
      name: "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
    });
    await example.click();
    const answer = await answerNumber(1);
    expect(await answer.locator(".answer-text").textContent()).toContain("43 chỉ tiêu");
    const last = asked.at(-1);
    expect(last?.question).toBe("Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?");
    expect(last?.conversationId).toBeTruthy();
    expect(last?.conversationId).not.toBe(asked[0]?.conversationId);
  });

  it("lists the documents under Tài liệu", async () => {
    await page.getByRole("tab", { name: "Tài liệu" }).click();
    const card = page.locator("#documents .doc-card").first();
    await card.waitFor(WAIT);
    expect(await card.locator(".doc-title").textContent()).toBe(DOC_TITLE);
    expect(await card.locator(".doc-meta").textContent()).toMatch(/Kinh tế & Đô thị · \d+ đoạn/);
    await expect(card.getByRole("link").getAttribute("rel")).resolves.toBe("noopener noreferrer");
    expect(await page.locator("#panel-chat").isHidden()).toBe(true);
    await page.screenshot({ path: join(artifacts, "web-documents.png") });
    // arrow keys move between the tabs (from the last one, on to the first)
    await page.getByRole("tab", { name: "Tài liệu" }).press("ArrowRight");
    expect(await page.locator("#panel-chat").isVisible()).toBe(true);
  });

  it("shows the targets under Chỉ tiêu, filtered without diacritics, each with its source", async () => {
    await page.getByRole("tab", { name: "Chỉ tiêu" }).click();
    const cards = page.locator("#targets .target-card");
    await cards.first().waitFor(WAIT);
    expect(await cards.count()).toBeGreaterThanOrEqual(9);
    expect(await page.locator("#targets .target-figure").allTextContents()).toEqual(
      expect.arrayContaining(["từ 11% trở lên", "43", "212", "1.605", "1.662.336"]),
    );
    await page.getByLabel("Lọc chỉ tiêu theo từ khóa").fill("tang truong");
    await page.getByLabel("Lọc chỉ tiêu theo từ khóa").press("Enter");
    await page.locator("#targets [role=status]", { hasText: "1 chỉ tiêu có “tang truong”" }).waitFor(WAIT);
    const card = cards.first();
    expect(await card.locator(".target-figure").textContent()).toBe("từ 11% trở lên");
    expect(await card.locator(".target-what").textContent()).toBe("Tăng trưởng kinh tế");
    expect(await card.locator(".target-meta").textContent()).toBe("Giai đoạn 2026-2031");
    await page.screenshot({ path: join(artifacts, "web-targets.png"), fullPage: true });
    await card.getByRole("button", { name: "Xem câu gốc" }).click();
    const mark = page.locator("dialog#source-dialog[open] .passage-text mark");
    await mark.waitFor(WAIT);
    expect(await mark.textContent()).toContain("tăng trưởng kinh tế từ 11% trở lên");
    await page.keyboard.press("Escape");
  });

  it("quizzes with buttons under Ôn tập: a tap reveals the answer and its source", async () => {
    await page.getByRole("tab", { name: "Ôn tập" }).click();
    await page.locator("#quiz .quiz-card").first().waitFor(WAIT);
    await page.getByLabel("Chủ đề ôn tập").fill("đột phá chiến lược");
    await page.getByRole("button", { name: "Tạo câu hỏi" }).click();
    await page.locator("#quiz .quiz-card", { hasText: "đột phá chiến lược" }).first().waitFor(WAIT);
    const card = page.locator("#quiz .quiz-card").first();
    expect(await card.locator(".quiz-question").textContent()).toMatch(
      /^Câu 1\/\d \((dễ|trung bình|khó)\): /,
    );
    const options = card.locator(".quiz-option");
    expect(await options.count()).toBe(4);
    await options.first().click();
    const verdict = card.locator(".quiz-verdict");
    await verdict.waitFor(WAIT);
    expect(await verdict.textContent()).toMatch(/^(Đúng! |Chưa đúng\. )Đáp án: [ABCD]\. /);
    expect(await card.locator(".quiz-option.correct").count()).toBe(1);
    // (the test program has no DOM typings)
    expect(
      await options.evaluateAll((buttons) => buttons.every((b) => (b as { disabled?: boolean }).disabled)),
    ).toBe(true);
    expect(await card.locator(".quiz-explanation").textContent()).toContain("đột phá chiến lược");
    expect(await card.locator(".quiz-source").textContent()).toContain(DOC_TITLE);
    await page.screenshot({ path: join(artifacts, "web-quiz.png"), fullPage: true });
  });

  it("downloads the study pack of the topic as Markdown", async () => {
    const link = page.getByRole("link", { name: "Tải bài học (.md)" });
    await expect(link.getAttribute("href")).resolves.toBe(
      `/api/studypack?topic=${encodeURIComponent("đột phá chiến lược")}`,
    );
    const [download] = await Promise.all([page.waitForEvent("download", WAIT), link.click()]);
    expect(download.suggestedFilename()).toBe("bai-hoc-dot-pha-chien-luoc.md");
    const path = await download.path();
    const markdown = await readFile(path, "utf8");
    expect(markdown.startsWith("# Bài học: Đột phá chiến lược")).toBe(true);
    expect(markdown).toContain("## 4. Trắc nghiệm (10 câu)");
  });

  it("shows trainers what was asked under Thống kê (#thong-ke), with the token, a chart and a CSV", async () => {
    // members never see the tab
    await expect(page.locator("#tab-stats").isHidden()).resolves.toBe(true);
    const trainer = await context.newPage();
    await trainer.goto(`${base}/#thong-ke`);
    await trainer.locator("body[data-ready=true]").waitFor(WAIT);
    await expect(trainer.getByRole("tab", { name: "Thống kê" }).getAttribute("aria-selected")).resolves.toBe(
      "true",
    );
    await trainer.getByLabel("Mã quản trị").fill("a-wrong-token-000000");
    await trainer.getByRole("button", { name: "Xem thống kê" }).click();
    await expect(trainer.getByRole("alert").textContent(WAIT)).resolves.toContain("ADMIN_TOKEN");
    await trainer.getByLabel("Mã quản trị").fill(ADMIN_TOKEN);
    await trainer.getByRole("button", { name: "Xem thống kê" }).click();
    const totals = trainer.locator(".stats-totals");
    await totals.waitFor(WAIT);
    // the questions the earlier tests asked on this page
    await expect(totals.textContent()).resolves.toMatch(/^\d+ câu hỏi/);
    await expect(trainer.locator(".stats-list").first().textContent()).resolves.toContain(
      "mục tieu tang truong",
    );
    await expect(trainer.locator("svg.stats-chart rect").count()).resolves.toBeGreaterThan(0);
    await expect(trainer.locator("svg.stats-chart").getAttribute("aria-label")).resolves.toMatch(
      /câu trong 30 ngày/,
    );
    await trainer.screenshot({ path: join(artifacts, "web-stats.png"), fullPage: true });
    const [download] = await Promise.all([
      trainer.waitForEvent("download", WAIT),
      trainer.getByRole("button", { name: "Tải CSV" }).click(),
    ]);
    const csv = await readFile(await download.path(), "utf8");
    expect(csv).toContain("hoi_nhieu_nhat,");
    await trainer.close();
  });
});
