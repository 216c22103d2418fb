import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runIngest } from "../../ingest/run-ingest.ts";
import { createLogger } from "../../src/logger.ts";
import {
  countTermsIn,
  coverage,
  DEFAULT_RERANK,
  type RerankCandidate,
  type RerankTerm,
  rerank,
} from "../../src/retrieval/rerank.ts";
import { createRetriever } from "../../src/retrieval/retriever.ts";
import { createCorpusStore } from "../../src/store/corpus-store.ts";
import { type Database, openPglite } from "../../src/store/database.ts";
import { migrate } from "../../src/store/migrate.ts";
import { BM25_B, BM25_K1 } from "../../src/text/bm25.ts";
import { foldDiacritics } from "../../src/text/fold-diacritics.ts";
import { lexicalTerms, syllables } from "../../src/text/tokenize.ts";
import { seeded } from "../helpers/pglite-folder.ts";

const term = (t: string, weight = 1): RerankTerm => ({ term: t, weight });

/** The question's terms as the retriever makes them (folded syllables and bigrams), weight 1. */
const termsOf = (question: string) => [...new Set(lexicalTerms(syllables(question)))].map((t) => term(t));

function candidate(id: string, bm25: number, title: string, text: string, headingPath: string[] = []) {
  const length = lexicalTerms(syllables([title, ...headingPath, text].join("\n"))).length;
  return { id, bm25, title, headingPath, folded: foldDiacritics(text), length } satisfies RerankCandidate;
}

describe("coverage", () => {
  it("is the share of the question's weight found in the text, diacritics folded", () => {
    const terms = [term("trach", 2), term("nhiem", 2), term("trach nhiem", 4), term("cu", 1), term("tru", 1)];
    expect(coverage(terms, "Trách nhiệm của cơ quan")).toBeCloseTo(8 / 10);
    expect(coverage(terms, "trach nhiem, cu tru")).toBeCloseTo(1);
    expect(coverage(terms, "Phạm vi điều chỉnh")).toBe(0);
  });

  it("ignores terms of weight zero and is 0 for an empty question", () => {
    expect(coverage([term("la", 0), term("tru", 1)], "là cư trú")).toBe(1);
    expect(coverage([], "anything")).toBe(0);
  });
});

describe("countTermsIn", () => {
  const text = foldDiacritics(
    "Phòng, chống ma túy; phòng chống tác hại. 1.605 điểm cầu, 11% trở lên, covid19 và a a a. Phòng\nchống",
  );
  const truth = new Map<string, number>();
  for (const t of lexicalTerms(syllables(text))) truth.set(t, (truth.get(t) ?? 0) + 1);

  it("counts syllables and bigrams exactly as lexicalTerms(syllables()) makes them", () => {
    const wanted = [
      ...truth.keys(),
      "phong chong",
      "chong",
      "ma",
      "a a",
      "1605",
      "11",
      "covid",
      "19",
      "absent",
    ];
    const counts = countTermsIn(text, wanted);
    for (const w of wanted) expect([w, counts.get(w) ?? 0]).toEqual([w, truth.get(w) ?? 0]);
    expect(counts.get("phong chong")).toBe(3);
    expect(counts.get("a a")).toBe(2);
  });

  it("does not count a syllable inside a longer one", () => {
    expect(countTermsIn("truong tru tru.", ["tru", "truong", "ong"])).toEqual(
      new Map([
        ["tru", 2],
        ["truong", 1],
      ]),
    );
  });
});

describe("rerank", () => {
  const avgdl = 40;

  it("keeps BM25 order when neither the title weight nor the coverage weight is on", () => {
    const cs = [candidate("a", 9, "Khác", "đăng ký cư trú"), candidate("b", 3, "Đăng ký cư trú", "khác")];
    const out = rerank(termsOf("đăng ký cư trú"), cs, avgdl, { titleWeight: 1, fieldWeight: 0 });
    expect(out.map((r) => r.id)).toEqual(["a", "b"]);
    expect(out.map((r) => r.bm25)).toEqual([9, 3]);
    expect(out[0]?.score).toBeCloseTo(1);
  });

  it("puts the passage whose title is the question above one that only repeats its words", () => {
    const question = "Trách nhiệm của cơ quan đăng ký cư trú";
    const cs = [
      candidate(
        "repeats",
        10,
        "Luật Cư trú, Điều 22. Thủ tục đăng ký thường trú",
        "cơ quan đăng ký cư trú ".repeat(4),
      ),
      candidate(
        "title",
        8,
        "Luật Cư trú, Điều 33. Trách nhiệm của cơ quan đăng ký cư trú",
        "Niêm yết công khai.",
      ),
    ];
    expect(rerank(termsOf(question), cs, avgdl).map((r) => r.id)).toEqual(["title", "repeats"]);
    // A section heading counts like the title.
    const byHeading = [
      cs[0] as RerankCandidate,
      {
        ...(cs[1] as RerankCandidate),
        title: "Luật Cư trú",
        headingPath: ["Trách nhiệm của cơ quan đăng ký cư trú"],
      },
    ];
    expect(rerank(termsOf(question), byHeading, avgdl)[0]?.id).toBe("title");
  });

  it("adds to BM25 what counting the field's terms titleWeight times adds (BM25F)", () => {
    const c = candidate("x", 5, "Cư trú", "cư trú hợp pháp, nơi cư trú");
    const terms = [term("cu", 2), term("tru", 3), term("cu tru", 4), term("hop", 1)];
    const out = rerank(terms, [c, candidate("y", 20, "Khác", "khác")], avgdl, {
      titleWeight: 4,
      fieldWeight: 0,
    });
    const norm = 1 - BM25_B + (BM25_B * c.length) / avgdl;
    const sat = (x: number) => (x * (BM25_K1 + 1)) / (BM25_K1 + x);
    // "cu", "tru" and "cu tru" occur 3 times each in title + text (once in the title).
    const delta = (2 + 3 + 4) * (sat(3 / norm + 3) - sat(3 / norm));
    expect(out.find((r) => r.id === "x")?.score).toBeCloseTo((5 + delta) / Math.max(5 + delta, 20));
    expect(out.find((r) => r.id === "y")?.score).toBeCloseTo(20 / Math.max(5 + delta, 20));
  });

  it("scores each title once for passages that share it, and keeps ties in BM25 order", () => {
    const cs = [
      candidate("p1", 4, "Cư trú", "a"),
      candidate("p2", 4, "Cư trú", "b"),
      candidate("p3", 4, "Cư trú", "c"),
    ];
    expect(rerank(termsOf("cư trú"), cs, avgdl).map((r) => r.id)).toEqual(["p1", "p2", "p3"]);
  });

  it("returns nothing for no candidates, and BM25 order when no candidate scores", () => {
    expect(rerank(termsOf("cư trú"), [], avgdl)).toEqual([]);
    const zero = [candidate("a", 0, "x", "y"), candidate("b", 0, "z", "w")];
    expect(rerank([], zero, avgdl).map((r) => r.id)).toEqual(["a", "b"]);
  });

  it("lets a document's second passage give way to the next document's best (repeat penalty)", () => {
    const cs = [
      { ...candidate("a1", 10, "A", "x"), documentId: 1 },
      { ...candidate("a2", 9.5, "A", "x"), documentId: 1 },
      { ...candidate("b1", 9, "B", "x"), documentId: 2 },
      { ...candidate("a3", 8, "A", "x"), documentId: 1 },
    ];
    const terms = termsOf("x");
    const off = { titleWeight: 1, fieldWeight: 0 };
    expect(rerank(terms, cs, avgdl, off).map((r) => r.id)).toEqual(["a1", "a2", "b1", "a3"]);
    const on = rerank(terms, cs, avgdl, { ...off, repeatPenalty: 0.1 });
    expect(on.map((r) => r.id)).toEqual(["a1", "b1", "a2", "a3"]);
    expect(on.find((r) => r.id === "a3")?.score).toBeCloseTo(8 / 10 - 0.2);
    // One document only: the order cannot change.
    const single = cs.map((c) => ({ ...c, documentId: 1 }));
    expect(rerank(terms, single, avgdl, { ...off, repeatPenalty: 0.1 }).map((r) => r.id)).toEqual([
      "a1",
      "a2",
      "b1",
      "a3",
    ]);
  });

  it("has defaults tuned within the latency budget: coverage and repeat penalty, no BM25F", () => {
    expect(DEFAULT_RERANK).toEqual({ titleWeight: 1, fieldWeight: 0.55, repeatPenalty: 0.1 });
  });
});

describe("the retriever's rerank stage (PGlite)", () => {
  let db: Database;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "rerank-test-"));
    // The first repeats the question's words; the second's heading is the question; a third
    // document gives the terms an IDF.
    const law = (heading: string, text: string) =>
      `---\ntitle: Luật Cư trú\n---\n\n## ${heading}\n\n${text}\n`;
    await writeFile(
      join(dir, "thu-tuc.md"),
      law(
        "Thủ tục đăng ký thường trú",
        "Cơ quan đăng ký cư trú có trách nhiệm thẩm định hồ sơ. Cơ quan đăng ký cư trú có trách nhiệm " +
          "cập nhật thông tin về cư trú.",
      ),
    );
    await writeFile(
      join(dir, "trach-nhiem.md"),
      law(
        "Trách nhiệm của cơ quan đăng ký cư trú",
        "Niêm yết công khai thủ tục hành chính; hướng dẫn công dân thực hiện. Bảo đảm bí mật thông tin cá " +
          "nhân của công dân, hộ gia đình. Tiếp nhận, giải quyết khiếu nại, tố cáo theo quy định của pháp luật.",
      ),
    );
    await writeFile(
      join(dir, "khac.md"),
      "---\ntitle: Luật Giáo dục\n---\n\n## Phạm vi\n\nLuật này quy định về hệ thống giáo dục quốc dân; " +
        "cơ sở giáo dục, nhà giáo, người học.\n",
    );
    db = await openPglite("memory://", seeded().pgliteSeed);
    await migrate(db);
    await runIngest({ store: createCorpusStore(db), corpusDir: dir, logger: createLogger("silent") });
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("ranks the passage under the matching heading first; exact BM25 did not", async () => {
    const question = "Trách nhiệm của cơ quan đăng ký cư trú là gì?";
    const exact = createRetriever({ db, ranking: { rerank: null } });
    const app = createRetriever({ db });
    const before = await exact.retrieve(question, { k: 2 });
    const after = await app.retrieve(question, { k: 2 });
    expect(before.passages[0]?.headingPath).toEqual(["Thủ tục đăng ký thường trú"]);
    expect(after.passages[0]?.headingPath).toEqual(["Trách nhiệm của cơ quan đăng ký cư trú"]);
    // bm25 stays the store's exact score; score is the reranked one.
    expect(after.passages.map((p) => p.bm25).sort()).toEqual(before.passages.map((p) => p.bm25).sort());
    expect(after.passages[0]?.score).toBeGreaterThan(after.passages[1]?.score ?? Number.POSITIVE_INFINITY);
  });

  it("answers the same passages whether the question is typed with or without diacritics", async () => {
    const app = createRetriever({ db });
    const typed = await app.retrieve("Trách nhiệm của cơ quan đăng ký cư trú", { k: 2 });
    const folded = await app.retrieve("trach nhiem cua co quan dang ky cu tru", { k: 2 });
    expect(folded.passages.map((p) => p.chunkId)).toEqual(typed.passages.map((p) => p.chunkId));
  });
});
