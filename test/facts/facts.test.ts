import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createAnswerer } from "../../src/answer/answerer.ts";
import { formatTargetsText } from "../../src/facts/format-targets.ts";
import { createTargets, describeTarget } from "../../src/facts/targets.ts";
import { createLogger } from "../../src/logger.ts";
import { loadAbbreviations } from "../../src/retrieval/expand-query.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { type CorpusStore, createCorpusStore } from "../../src/store/corpus-store.ts";
import type { Database } from "../../src/store/database.ts";
import { FACTS_VERSION } from "../../src/store/document-facts.ts";
import { createFactStore, type FactStore } from "../../src/store/fact-store.ts";
import { migrate } from "../../src/store/migrate.ts";
import { extractFacts } from "../../src/text/extract-facts.ts";
import { testEngines } from "../helpers/engines.ts";

const logger = createLogger("silent");

/** The facts of one sentence as { value, kind, counts, qualifier, period } (absent fields left out). */
const facts = (sentence: string) =>
  extractFacts(sentence).map((f) => ({
    value: f.value,
    kind: f.kind,
    counts: f.counts,
    ...(f.qualifier ? { qualifier: f.qualifier } : {}),
    ...(f.period ? { period: f.period } : {}),
  }));

describe("extractFacts on sentences outside the seed", () => {
  it("reads a percentage, what it measures, its qualifier and its period", () => {
    expect(
      facts("Phấn đấu tốc độ tăng trưởng GRDP bình quân giai đoạn 2026-2030 đạt từ 8% trở lên."),
    ).toEqual([
      {
        value: "8%",
        kind: "percentage",
        counts: "tốc độ tăng trưởng GRDP bình quân",
        qualifier: "từ ... trở lên",
        period: "2026-2030",
      },
    ]);
    expect(facts("Đến năm 2030, tỷ lệ đô thị hóa đạt khoảng 65%.")).toEqual([
      {
        value: "65%",
        kind: "percentage",
        counts: "tỷ lệ đô thị hóa",
        qualifier: "khoảng ...",
        period: "Đến năm 2030",
      },
    ]);
  });

  it("reads counts written in digits with thousands dots and in words, with the counted noun", () => {
    expect(facts("Thành phố đã tổ chức 2.345 lớp bồi dưỡng cho 150.000 đảng viên trên địa bàn.")).toEqual([
      { value: "2.345", kind: "count", counts: "lớp bồi dưỡng" },
      { value: "150.000", kind: "count", counts: "đảng viên" },
    ]);
    expect(
      facts("Nghị quyết xác định bốn nhiệm vụ trọng tâm và sáu giải pháp đột phá của nhiệm kỳ."),
    ).toEqual([
      { value: "bốn", kind: "count", counts: "nhiệm vụ trọng tâm" },
      { value: "sáu", kind: "count", counts: "giải pháp đột phá" },
    ]);
    expect(extractFacts("Có mười hai tổ công tác được thành lập.")[0]).toMatchObject({
      value: "mười hai",
      amount: 12,
    });
    expect(extractFacts("Quy mô 1.662.336 hội viên.")[0]?.amount).toBe(1_662_336);
  });

  it("keeps a list of counted nouns together, and stops at a verb or another clause", () => {
    expect(facts("Danh mục gồm 35 chương trình, đề án, dự án trọng điểm của Thành phố.")).toEqual([
      { value: "35", kind: "count", counts: "chương trình, đề án, dự án trọng điểm" },
    ]);
    expect(facts("Hội nghị có 500 điểm cầu, Thành phố đã chuẩn bị chu đáo.")).toEqual([
      { value: "500", kind: "count", counts: "điểm cầu" },
    ]);
  });

  it("attaches a replacement to the figure it replaces (“thay cho …”)", () => {
    expect(facts("Quận đã lập 9 tổ dân phố, thay cho 14 tổ dân phố trước đây.")).toEqual([
      { value: "9", kind: "count", counts: "tổ dân phố", qualifier: "thay cho 14 tổ dân phố" },
    ]);
  });

  it("reads money with its unit", () => {
    expect(facts("Tổng vốn đầu tư công giai đoạn 2026-2030 là 1.200 nghìn tỷ đồng.")).toEqual([
      { value: "1.200 nghìn tỷ đồng", kind: "money", counts: "Tổng vốn đầu tư công", period: "2026-2030" },
    ]);
    expect(extractFacts("Tổng vốn đầu tư 3,5 tỷ đồng.")[0]?.amount).toBe(3.5e9);
  });

  it("tells five from a year: “năm” counts only before a counted noun", () => {
    expect(facts("Kế hoạch được rà soát từng năm; trong năm nay hoàn thành năm công trình.")).toEqual([
      { value: "năm", kind: "count", counts: "công trình" },
    ]);
    expect(facts("Ngày, tháng, năm sinh của người đề nghị.")).toEqual([]);
  });

  it("skips labels, identifiers, list markers, dates and links", () => {
    expect(
      facts("Theo khoản 2, 3 và 4 Điều 12 của Luật số 45/2019/QH14, Chương trình số 01 được ban hành."),
    ).toEqual([]);
    expect(facts("1. Người dân được thông báo trước ngày 15/3/2026.")).toEqual([]);
    expect(facts("Nguồn: https://kinhtedothi.vn/bai-viet-984469.html")).toEqual([]);
    expect(facts("Đại hội XIV của Đảng, Ban Chấp hành khóa XVIII.")).toEqual([]);
  });

  it("states a period on its own when no figure uses it", () => {
    expect(facts("Bầu cử đại biểu HĐND các cấp nhiệm kỳ 2026 - 2031.")).toEqual([
      { value: "2026 - 2031", kind: "period", counts: "Bầu cử đại biểu HĐND các cấp nhiệm kỳ" },
    ]);
  });
});

describe.each(testEngines())("the facts index on $name", (engine) => {
  let db: Database;
  let drop: () => Promise<void>;
  let store: CorpusStore;
  let factStore: FactStore;
  let corpusDir: string;

  beforeAll(async () => {
    ({ db, drop } = await engine.open());
    await migrate(db);
    store = createCorpusStore(db);
    factStore = createFactStore(db);
    corpusDir = await mkdtemp(join(tmpdir(), "sotay-facts-"));
    await writeFile(
      join(corpusDir, "seed.md"),
      await readFile("corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md", "utf8"),
    );
    await runIngest({ store, corpusDir, logger });
  });
  afterAll(async () => {
    await drop?.();
    await rm(corpusDir, { recursive: true, force: true });
  });

  it("holds the seed article's figures, each with what it counts and a quote that contains it", async () => {
    const all = await factStore.list();
    const find = (value: string, counts: string) =>
      all.find((f) => f.value === value && f.counts.includes(counts));
    const expected: [string, string, Partial<{ qualifier: string; period: string; kind: string }>][] = [
      [
        "11%",
        "tăng trưởng kinh tế",
        { kind: "percentage", qualifier: "từ ... trở lên", period: "2026-2031" },
      ],
      ["43", "chỉ tiêu chủ yếu", { kind: "count", period: "2026-2030" }],
      ["212", "nhiệm vụ, đề án, dự án, công trình trọng điểm", { kind: "count" }],
      ["12", "nhóm nhiệm vụ", { kind: "count", qualifier: "thay cho 10 nhóm nhiệm vụ" }],
      ["1.605", "điểm cầu", { kind: "count" }],
      ["1.662.336", "cán bộ, đảng viên", { kind: "count" }],
      ["năm", "định hướng chiến lược", { kind: "count" }],
      ["ba", "đột phá chiến lược", { kind: "count" }],
      ["bốn", "trục", { kind: "count" }],
    ];
    for (const [value, counts, more] of expected) {
      const fact = find(value, counts);
      expect(fact, `${value} ${counts}`).toBeDefined();
      expect(fact).toMatchObject(more);
      expect(fact?.quote).toContain(value);
      expect(fact?.quote.slice(fact.valueStart, fact.valueEnd)).toBe(value);
      const view = await store.getPassage(fact?.chunkId ?? "");
      expect(view?.passage.text).toContain(fact?.quote);
    }
    expect(find("năm", "định hướng")?.amount).toBe(5);
    expect(find("1.662.336", "cán bộ")?.amount).toBe(1_662_336);
    // Photo captions repeat the "12 nhóm" sentence; the index states it once per body sentence.
    expect(all.filter((f) => f.value === "12").every((f) => !f.quote.includes("Ảnh:"))).toBe(true);
  });

  it("lists targets filtered by a keyword typed with or without diacritics", async () => {
    const targets = createTargets({ facts: factStore });
    const typed = await targets.list("tăng trưởng");
    const folded = await targets.list("tang truong");
    expect(typed.targets.map((t) => t.value)).toEqual(["11%"]);
    expect(folded.targets.map((t) => t.value)).toEqual(["11%"]);
    expect(typed.targets[0]).toMatchObject({
      value: "11%",
      kind: "percentage",
      counts: "tăng trưởng kinh tế",
      qualifier: "từ ... trở lên",
      period: "2026-2031",
      citation: {
        n: 1,
        document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
        publisher: "Kinh tế & Đô thị",
      },
    });
    expect(describeTarget(typed.targets[0] as never)).toBe("tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    // Typed with marks, the marks must match: "tầng" is not "tăng".
    expect((await targets.list("tầng trưởng")).targets).toEqual([]);
    // Old-style tone marks are the same word ("hoà" = "hòa"); "chỉ tiêu" names the list itself.
    expect((await targets.list("chỉ tiêu đảng viên")).targets.map((t) => t.value)).toEqual(["1.662.336"]);
    expect((await targets.list("ĐIỂM CẦU")).targets.map((t) => t.value)).toEqual(["1.605"]);
    const all = await targets.list();
    expect(all.targets.length).toBeGreaterThanOrEqual(9);
    expect(all.targets.map((t) => t.citation.n)).toEqual(all.targets.map((_, i) => i + 1));
    const text = formatTargetsText(typed);
    expect(text).toContain("Tăng trưởng kinh tế: từ 11% trở lên (2026-2031)");
    expect(text).toContain("https://kinhtedothi.vn/");
    expect(formatTargetsText(await targets.list("bóng đá"))).toBe(
      "Không tìm thấy chỉ tiêu, con số nào có “bóng đá” trong tài liệu.",
    );
  });

  it("replaces a document's facts with the document, and removes them with it", async () => {
    const doc = join(corpusDir, "ke-hoach.md");
    await writeFile(
      doc,
      "---\ntitle: Kế hoạch\n---\n\nQuận triển khai 7 mô hình dân vận khéo trong năm 2026.\n",
    );
    await runIngest({ store, corpusDir, logger });
    const values = async () => (await factStore.list(["dan", "van"])).map((f) => `${f.value} ${f.counts}`);
    expect(await values()).toEqual(["7 mô hình dân vận khéo"]);
    await writeFile(
      doc,
      "---\ntitle: Kế hoạch\n---\n\nQuận triển khai 9 mô hình dân vận khéo trong năm 2026.\n",
    );
    await runIngest({ store, corpusDir, logger });
    expect(await values()).toEqual(["9 mô hình dân vận khéo"]);
    await rm(doc);
    await runIngest({ store, corpusDir, logger });
    expect(await values()).toEqual([]);
    // No fact outlives its passage.
    const [orphans] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM facts f WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = f.chunk_id)",
    );
    expect(orphans?.n).toBe(0);
  });

  it("re-extracts every stored passage when the extractor version changes (or the index is new)", async () => {
    const before = (await factStore.list()).map((f) => [f.chunkId, f.value, f.counts, f.qualifier, f.period]);
    await db.query("UPDATE facts_index SET version = 0");
    await db.query("DELETE FROM facts");
    expect(await factStore.refreshIfStale()).toBe(before.length);
    expect(
      (await factStore.list()).map((f) => [f.chunkId, f.value, f.counts, f.qualifier, f.period]),
    ).toEqual(before);
    expect(await factStore.refreshIfStale()).toBe(0);
    const [row] = await db.query<{ version: number }>("SELECT version FROM facts_index");
    expect(row?.version).toBe(FACTS_VERSION);
  });
});

describe("number questions use the facts index to pick the sentence", () => {
  let db: Database;
  let drop: () => Promise<void>;
  let corpusDir: string;

  beforeAll(async () => {
    const [pglite] = testEngines();
    if (!pglite) throw new Error("no PGlite engine");
    ({ db, drop } = await pglite.open());
    await migrate(db);
    corpusDir = await mkdtemp(join(tmpdir(), "sotay-facts-answer-"));
    await writeFile(
      join(corpusDir, "seed.md"),
      await readFile("corpus/ha-noi-tien-phong-dua-nghi-quyet-xiv-vao-cuoc-song.md", "utf8"),
    );
    await runIngest({ store: createCorpusStore(db), corpusDir, logger });
  });
  afterAll(async () => {
    await drop?.();
    await rm(corpusDir, { recursive: true, force: true });
  });

  it("answers with the sentence whose figure counts what is asked, also a figure in words", async () => {
    const retriever = createRetriever({ db, abbreviations: loadAbbreviations() });
    const options = { topK: 8 };
    const withIndex = createAnswerer({ retriever, facts: createFactStore(db), logger, options });
    const without = createAnswerer({ retriever, logger, options });
    const question = "Có bao nhiêu nhóm nhiệm vụ mới được bổ sung?";
    // The sentence model finds the sentence stating the figure, with or without the index…
    expect((await without.answer({ question })).answer).toContain("Hai nhóm nhiệm vụ được bổ sung");
    // …and the answer says the figure first, then quotes "Hai nhóm nhiệm vụ được bổ sung".
    const answer = await withIndex.answer({ question });
    expect(answer.answer).toMatch(
      /^\*\*Hai nhóm nhiệm vụ\*\* — Hai nhóm nhiệm vụ được bổ sung, tách riêng gồm/,
    );
    expect(answer.citations[0]?.quote).toContain("Hai nhóm nhiệm vụ được bổ sung");
    // The figure must count what is asked: "năm định hướng" does not answer "bao nhiêu người".
    expect((await withIndex.answer({ question: "Dân số Hà Nội hiện nay là bao nhiêu người?" })).found).toBe(
      false,
    );
    expect(
      (await withIndex.answer({ question: "Chương trình hành động có bao nhiêu nhóm nhiệm vụ?" })).answer,
    ).toContain("12 nhóm nhiệm vụ chủ yếu");
  });
});
