import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AlqacLaw, alqacSlug, readAlqacLaws, writeAlqacCorpus } from "../../bench/alqac.ts";
import { alqacDocs, halves } from "../../bench/bench-alqac.ts";
import { loadDocument } from "../../ingest/loaders/index.ts";
import { listCorpusFiles } from "../../ingest/run-ingest.ts";

// The shape of ../shared/bench/alqac2023/law.json, in miniature (the test never reads ../shared).
const LAWS = [
  {
    id: "Luật Phòng, chống ma túy",
    articles: [
      {
        id: "1",
        text: "Phạm vi điều chỉnh\n\nLuật này quy định về phòng, chống ma túy; quản lý người sử dụng trái phép chất ma túy.",
      },
      {
        id: "2",
        text: "Giải thích từ ngữ\n\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau:\n1. Chất ma túy là chất gây nghiện.\r\n2. Tiền chất là hóa chất.",
      },
      { id: "3", text: "   \n  " },
    ],
  },
  { id: "Hiến pháp", articles: [] },
  { id: "Luật Đất đai", articles: [{ id: "../5", text: "Điều khoản thi hành\n\nLuật này có hiệu lực." }] },
  { id: "Luật đất đai", articles: [{ id: "5", text: "Một luật khác cùng tên.\n\nĐoạn hai." }] },
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "alqac-test-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, "utf8");
  return path;
}

describe("readAlqacLaws", () => {
  it("reads the laws and their articles as written, law ids untouched", async () => {
    const laws = await readAlqacLaws(await fixture("law.json", JSON.stringify(LAWS, null, 4)));
    expect(laws).toHaveLength(4);
    expect(laws[0]?.id).toBe("Luật Phòng, chống ma túy");
    expect(laws[0]?.articles.map((a) => a.id)).toEqual(["1", "2", "3"]);
    expect(laws[1]?.articles).toEqual([]);
  });

  it("rejects data of another shape, naming the bad field", async () => {
    const path = await fixture("bad.json", JSON.stringify([{ id: "Luật X", articles: [{ id: "1" }] }]));
    await expect(readAlqacLaws(path)).rejects.toThrow(/bad\.json.*0\.articles\.0\.text/);
    const numeric = await fixture(
      "numeric.json",
      JSON.stringify([{ id: "Luật X", articles: [{ id: 1, text: "a" }] }]),
    );
    await expect(readAlqacLaws(numeric)).rejects.toThrow(/0\.articles\.0\.id/);
    await expect(readAlqacLaws(await fixture("object.json", "{}"))).rejects.toThrow(/not ALQAC law data/);
  });

  it("rejects a file that is not JSON, and a missing file", async () => {
    await expect(readAlqacLaws(await fixture("broken.json", "[{"))).rejects.toThrow(/not valid JSON/);
    await expect(readAlqacLaws(join(dir, "missing.json"))).rejects.toThrow(/ENOENT/);
  });
});

describe("writeAlqacCorpus", () => {
  let out: string;
  let files: Awaited<ReturnType<typeof writeAlqacCorpus>>;

  beforeAll(async () => {
    out = join(dir, "corpus");
    files = await writeAlqacCorpus(LAWS as AlqacLaw[], out);
  });

  it("writes one .txt per non-empty article, under a folder per law, and says which is which", async () => {
    expect(files).toEqual([
      { lawId: "Luật Phòng, chống ma túy", articleId: "1", path: "luat-phong-chong-ma-tuy/1.txt" },
      { lawId: "Luật Phòng, chống ma túy", articleId: "2", path: "luat-phong-chong-ma-tuy/2.txt" },
      // slugs never leave the folder; two laws that slug alike do not overwrite each other
      { lawId: "Luật Đất đai", articleId: "../5", path: "luat-dat-dai/5.txt" },
      { lawId: "Luật đất đai", articleId: "5", path: "luat-dat-dai-2/5.txt" },
    ]);
    const listed = await listCorpusFiles(out);
    expect(listed).toEqual({ supported: files.map((f) => f.path).sort(), skipped: [] });
  });

  it("puts the law name first, then each line of the article as its own paragraph", async () => {
    const text = await readFile(join(out, "luat-phong-chong-ma-tuy/2.txt"), "utf8");
    expect(text).toBe(
      "Luật Phòng, chống ma túy\n\nGiải thích từ ngữ\n\nTrong Luật này, các từ ngữ dưới đây được hiểu như sau:\n\n" +
        "1. Chất ma túy là chất gây nghiện.\n\n2. Tiền chất là hóa chất.\n",
    );
  });

  it("reads back through the ingest loader with the law as title and the lines as paragraphs", async () => {
    const doc = await loadDocument(join(out, "luat-phong-chong-ma-tuy/2.txt"));
    expect(doc.title).toBe("Luật Phòng, chống ma túy");
    expect(doc.blocks.map((b) => b.text)).toEqual([
      "Giải thích từ ngữ",
      "Trong Luật này, các từ ngữ dưới đây được hiểu như sau:",
      "1. Chất ma túy là chất gây nghiện.",
      "2. Tiền chất là hóa chất.",
    ]);
  });
});

describe("alqacSlug", () => {
  it("folds Vietnamese letters to a safe file name", () => {
    expect(alqacSlug("Bộ luật dân sự")).toBe("bo-luat-dan-su");
    expect(alqacSlug("Luật Điện ảnh")).toBe("luat-dien-anh");
    expect(alqacSlug("../..")).toBe("x");
  });
});

describe("the ALQAC benchmark", () => {
  it("reports questions 1-50 (where ranking is tuned) and 51-100 apart", () => {
    expect(halves(100)).toEqual([
      { name: "1-50", from: 0, to: 50 },
      { name: "51-100", from: 50, to: 100 },
    ]);
    expect(halves(5).map((p) => p.name)).toEqual(["1-3", "4-5"]);
  });

  it("titles each article's document as a citation names it, its first line included", () => {
    const docs = alqacDocs(LAWS.slice(0, 1) as AlqacLaw[]);
    expect(docs.map((d) => d.id)).toEqual(["Luật Phòng, chống ma túy#1", "Luật Phòng, chống ma túy#2"]);
    expect(docs[0]?.title).toBe("Luật Phòng, chống ma túy, Điều 1. Phạm vi điều chỉnh");
    expect(docs[0]?.text).toMatch(/^Luật này quy định/);
  });
});
