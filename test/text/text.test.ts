import { describe, expect, it } from "vitest";
import {
  BM25_B,
  BM25_K1,
  countFoldedTerms,
  countTerms,
  documentWeights,
  idf,
  passageSparsevec,
  queryTermIds,
  sortedFoldedTerms,
  TERM_SPACE,
  termArrayLiteral,
  termId,
  toSparsevec,
} from "../../src/text/bm25.ts";
import { foldDiacritics } from "../../src/text/fold-diacritics.ts";
import {
  normalizeInline,
  normalizeText,
  stripInvisible,
  unifyToneMarks,
} from "../../src/text/normalize-vietnamese.ts";
import { lexicalTerms, normalizeNumberToken, syllables } from "../../src/text/tokenize.ts";

// Real sentences from the article "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống".
const POINTS =
  "Đảng bộ TP Hà Nội đã khẩn trương triển khai Chương trình hành động thực hiện Nghị quyết tới 1.605 điểm cầu, với sự tham gia của 1.662.336 cán bộ, đảng viên trong toàn Đảng bộ.";
const GROWTH = "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.";
const SECRETARY = "Ủy viên Bộ Chính trị, Bí thư Thành ủy Nguyễn Duy Ngọc nhấn mạnh";

const isNfc = (text: string) => text === text.normalize("NFC");

describe("unifyToneMarks / normalizeText: one tone-mark placement", () => {
  it.each([
    ["hoà", "hòa"],
    ["uỷ", "ủy"],
    ["thuỷ", "thủy"],
    ["khoẻ", "khỏe"],
    ["hoá", "hóa"],
    ["hoạ", "họa"],
    ["xoè", "xòe"],
    ["tuý", "túy"],
  ])("moves the old-style mark of %s to the new-style position (%s)", (old, expected) => {
    expect(unifyToneMarks(old)).toBe(expected);
    expect(normalizeText(old)).toBe(expected);
  });

  it.each(["hòa", "ủy", "thủy", "khỏe"])("leaves the new-style %s as it is", (word) => {
    expect(normalizeText(word)).toBe(word);
  });

  it("gives old and new spelling of the same phrase one form", () => {
    expect(normalizeText("Thành uỷ chỉ đạo, tạo sức lan toả, thể chế hoá")).toBe(
      normalizeText("Thành ủy chỉ đạo, tạo sức lan tỏa, thể chế hóa"),
    );
    expect(normalizeText("Thành uỷ chỉ đạo, tạo sức lan toả, thể chế hoá")).toBe(
      "Thành ủy chỉ đạo, tạo sức lan tỏa, thể chế hóa",
    );
  });

  it("handles capitals and a mark at the start of the text", () => {
    expect(normalizeText("Uỷ ban nhân dân")).toBe("Ủy ban nhân dân");
    expect(normalizeText("HOÀ BÌNH")).toBe("HÒA BÌNH");
    expect(normalizeText("Hoà Bình")).toBe("Hòa Bình");
  });

  it("moves the mark when the syllable is followed by punctuation", () => {
    expect(normalizeText("(uỷ)")).toBe("(ủy)");
    expect(normalizeText("hoà.")).toBe("hòa.");
    expect(normalizeText("khoẻ, mạnh")).toBe("khỏe, mạnh");
  });

  it.each(["quý", "quỷ", "QUÝ", "từng quý"])("keeps the mark of qu + y in %s (qu is a consonant)", (word) => {
    expect(normalizeText(word)).toBe(word);
  });

  it.each(["hoàng", "khuỳnh", "toàn", "ngoài", "khoảng", "hoặc", "thuở"])(
    "leaves the closed or unrelated syllable %s unchanged",
    (word) => {
      expect(normalizeText(word)).toBe(word);
    },
  );

  it("turns NFD input into NFC", () => {
    const nfd = "Hà Nội".normalize("NFD");
    expect(nfd).not.toBe("Hà Nội");
    expect(normalizeText(nfd)).toBe("Hà Nội");
    expect(normalizeText(SECRETARY.normalize("NFD"))).toBe(SECRETARY);
    expect(isNfc(normalizeText("Hoà Bình".normalize("NFD")))).toBe(true);
    expect(normalizeText("Hoà Bình".normalize("NFD"))).toBe("Hòa Bình");
  });

  it("leaves a real NFC sentence untouched", () => {
    expect(normalizeText(POINTS)).toBe(POINTS);
    expect(normalizeText(SECRETARY)).toBe(SECRETARY);
  });

  it("keeps line breaks and tabs (only normalizeInline collapses them)", () => {
    expect(normalizeText("Dòng một\nDòng hai\tcột")).toBe("Dòng một\nDòng hai\tcột");
  });
});

describe("stripInvisible", () => {
  it("removes control characters but keeps newline and tab", () => {
    expect(stripInvisible("Hà\u0000 Nội\u0007\u001f\u007f\u0085!")).toBe("Hà Nội!");
    expect(stripInvisible("a\nb\tc")).toBe("a\nb\tc");
  });

  it("removes zero-width characters and the byte-order mark", () => {
    expect(stripInvisible("\ufeffThủ\u200b đô\u200c\u200d\u2060")).toBe("Thủ đô");
  });

  it("removes lone surrogates but keeps a valid surrogate pair", () => {
    expect(stripInvisible("a\ud800b\udc00c")).toBe("abc");
    expect(stripInvisible("Hà Nội 😀")).toBe("Hà Nội 😀");
  });

  it("is applied by normalizeText", () => {
    expect(normalizeText("\ufeffHà\u200b Nội\u0000")).toBe("Hà Nội");
  });
});

describe("normalizeInline", () => {
  it("collapses every run of whitespace, including line breaks and no-break spaces, and trims", () => {
    expect(normalizeInline("  Hà   Nội\n\n\tThủ đô\u00a0 \u2003ngàn năm  ")).toBe("Hà Nội Thủ đô ngàn năm");
  });

  it("also normalises tone marks, NFC and invisible characters", () => {
    expect(normalizeInline(" Thành uỷ\u200b\n Hà Nội ".normalize("NFD"))).toBe("Thành ủy Hà Nội");
  });

  it("gives an empty string for blank input", () => {
    expect(normalizeInline(" \n\t\u200b ")).toBe("");
  });
});

describe("foldDiacritics", () => {
  it("strips marks, folds đ to d and lower-cases", () => {
    expect(foldDiacritics("Đảng bộ TP Hà Nội")).toBe("dang bo tp ha noi");
    expect(foldDiacritics("HĐND")).toBe("hdnd");
    expect(foldDiacritics("Ủy viên Bộ Chính trị")).toBe("uy vien bo chinh tri");
    expect(foldDiacritics("tăng trưởng")).toBe("tang truong");
  });

  it("keeps the length of the NFC text so offsets line up", () => {
    for (const text of [POINTS, GROWTH, SECRETARY, "Đảng bộ TP Hà Nội", "HĐND"]) {
      const folded = foldDiacritics(text);
      expect(folded.length).toBe(text.length);
    }
    const at = SECRETARY.indexOf("Nguyễn Duy Ngọc");
    expect(foldDiacritics(SECRETARY).slice(at, at + "Nguyễn Duy Ngọc".length)).toBe("nguyen duy ngoc");
  });

  it("folds NFD input to the length of its NFC form", () => {
    const nfd = "Hà Nội".normalize("NFD");
    expect(foldDiacritics(nfd)).toBe("ha noi");
    expect(foldDiacritics(nfd).length).toBe("Hà Nội".length);
  });

  it("keeps the length for characters outside Vietnamese too", () => {
    for (const text of ["İstanbul", "x\u0301", "😀 Hà Nội"]) {
      expect(foldDiacritics(text).length).toBe(text.normalize("NFC").length);
    }
  });

  it("folds every Vietnamese vowel, each tone and case, to its base letter", () => {
    const bases: [string, string][] = [
      ["a", "a"],
      ["ă", "a"],
      ["â", "a"],
      ["e", "e"],
      ["ê", "e"],
      ["i", "i"],
      ["o", "o"],
      ["ô", "o"],
      ["ơ", "o"],
      ["u", "u"],
      ["ư", "u"],
      ["y", "y"],
    ];
    for (const [vowel, base] of bases) {
      for (const tone of ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]) {
        const lower = `${vowel}${tone}`.normalize("NFC");
        expect(foldDiacritics(`x${lower}${lower.toUpperCase()}`)).toBe(`x${base}${base}`);
      }
    }
    expect(foldDiacritics("😀 Hà Nội, ĐẢNG")).toBe("😀 ha noi, dang");
  });

  it("leaves digits and punctuation as they are", () => {
    expect(foldDiacritics("11% (2026-2031).")).toBe("11% (2026-2031).");
  });
});

describe("syllables", () => {
  it("keeps numbers whole and drops thousands dots and the percent sign", () => {
    expect(syllables("tới 1.605 điểm cầu, với 1.662.336 cán bộ")).toEqual([
      "toi",
      "1605",
      "diem",
      "cau",
      "voi",
      "1662336",
      "can",
      "bo",
    ]);
    expect(syllables("11%")).toEqual(["11"]);
    expect(syllables("1.662.336")).toEqual(["1662336"]);
  });

  it("reads a decimal comma as a decimal point", () => {
    expect(syllables("tăng 3,5 lần")).toEqual(["tang", "3.5", "lan"]);
  });

  it("matches a number typed with or without thousands dots, also with decimals", () => {
    expect(syllables("1.234,5 tỷ đồng")).toEqual(syllables("1234,5 tỷ đồng"));
    expect(syllables("1.234,5 tỷ đồng")).toEqual(["1234.5", "ty", "dong"]);
    expect(normalizeNumberToken("1.662.336")).toBe("1662336");
    expect(normalizeNumberToken("1662336")).toBe("1662336");
  });

  it("splits a year range into two numbers", () => {
    expect(syllables("giai đoạn 2026-2030")).toEqual(["giai", "doan", "2026", "2030"]);
  });

  it("gives folded syllables of a real sentence", () => {
    expect(syllables(GROWTH)).toEqual([
      "phan",
      "dau",
      "dat",
      "tang",
      "truong",
      "kinh",
      "te",
      "tu",
      "11",
      "tro",
      "len",
      "trong",
      "nhiem",
      "ky",
      "2026",
      "2031",
    ]);
    expect(syllables("HĐND, UBND và MTTQ")).toEqual(["hdnd", "ubnd", "va", "mttq"]);
  });

  it("gives no tokens for punctuation only", () => {
    expect(syllables(" – ; “ ” ")).toEqual([]);
  });
});

describe("lexicalTerms", () => {
  it("is the syllables plus adjacent bigrams", () => {
    expect(lexicalTerms(syllables("Tăng trưởng kinh tế"))).toEqual([
      "tang",
      "truong",
      "kinh",
      "te",
      "tang truong",
      "truong kinh",
      "kinh te",
    ]);
    expect(lexicalTerms(["ha"])).toEqual(["ha"]);
    expect(lexicalTerms([])).toEqual([]);
  });

  it("gives the same terms with and without diacritics", () => {
    const pairs = [
      ["Tăng trưởng kinh tế từ 11% trở lên", "tang truong kinh te tu 11% tro len"],
      ["Đảng bộ TP Hà Nội", "dang bo tp ha noi"],
      ["Thành uỷ chỉ đạo", "thanh uy chi dao"],
      [SECRETARY, "uy vien bo chinh tri, bi thu thanh uy nguyen duy ngoc nhan manh"],
    ];
    for (const [marked, plain] of pairs) {
      expect(lexicalTerms(syllables(marked as string))).toEqual(lexicalTerms(syllables(plain as string)));
    }
  });

  it("gives the same terms for NFD and old-style tone marks", () => {
    expect(lexicalTerms(syllables(SECRETARY.normalize("NFD")))).toEqual(lexicalTerms(syllables(SECRETARY)));
    expect(lexicalTerms(syllables("hoà bình, thuỷ lợi"))).toEqual(
      lexicalTerms(syllables("hòa bình, thủy lợi")),
    );
  });
});

describe("BM25 helpers", () => {
  it("termId is deterministic and stable across runs (FNV-1a, pinned values)", () => {
    expect(termId("tang truong")).toBe(termId("tang truong"));
    // FNV-1a offset basis and the hash of "a" (0xe40c292c), mapped into 1..TERM_SPACE.
    expect(termId("")).toBe(166136388);
    expect(termId("a")).toBe(826002410);
    expect(termId("tang")).not.toBe(termId("truong"));
  });

  it("termId is an integer in 1..TERM_SPACE", () => {
    const terms = lexicalTerms(syllables(`${POINTS} ${GROWTH} ${SECRETARY}`));
    for (const term of terms) {
      const id = termId(term);
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThanOrEqual(1);
      expect(id).toBeLessThanOrEqual(TERM_SPACE);
    }
    expect(TERM_SPACE).toBeLessThanOrEqual(1_000_000_000);
  });

  it("idf decreases as a term appears in more passages and stays positive", () => {
    const n = 100;
    const values = [1, 2, 10, 50, 100].map((df) => idf(df, n));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1] as number);
    expect(values.at(-1)).toBeGreaterThan(0);
    expect(idf(1, 100)).toBeCloseTo(Math.log(1 + 99.5 / 1.5), 12);
  });

  it("documentWeights saturates with term frequency", () => {
    const weightFor = (tf: number) =>
      documentWeights({ tf: new Map([[7, tf]]), length: 100 }, 100).get(7) as number;
    const w = [1, 2, 4, 8, 100].map(weightFor);
    for (let i = 1; i < w.length; i++) expect(w[i]).toBeGreaterThan(w[i - 1] as number);
    // Diminishing returns: the second occurrence adds more than going from 4 to 8.
    expect((w[1] as number) - (w[0] as number)).toBeGreaterThan((w[3] as number) - (w[2] as number));
    expect(w.at(-1)).toBeLessThan(BM25_K1 + 1);
    // At average length, tf = 1 weighs exactly 1.
    expect(w[0]).toBeCloseTo(1, 12);
  });

  it("documentWeights shrinks for longer passages", () => {
    const weightAt = (length: number) =>
      documentWeights({ tf: new Map([[7, 2]]), length }, 100).get(7) as number;
    expect(weightAt(50)).toBeGreaterThan(weightAt(100));
    expect(weightAt(100)).toBeGreaterThan(weightAt(400));
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * 400) / 100);
    expect(weightAt(400)).toBeCloseTo((2 * (BM25_K1 + 1)) / (2 + norm), 12);
  });

  it("countTerms counts syllables and bigrams of a passage", () => {
    const counts = countTerms("Tăng trưởng kinh tế, tăng trưởng xanh");
    // 7 syllables + 6 bigrams
    expect(counts.length).toBe(13);
    expect(counts.tf.get(termId("tang truong"))).toBe(2);
    expect(counts.tf.get(termId("tang"))).toBe(2);
    expect(counts.tf.get(termId("kinh te"))).toBe(1);
  });

  it("countFoldedTerms of parts folded one by one equals countTerms of the whole text", () => {
    const title = "Chương trình hành động của Thành ủy Hà Nội";
    const heading = "Mục tiêu tăng trưởng";
    const whole = countTerms([title, heading, GROWTH].join("\n"));
    const parts = countFoldedTerms(`${foldDiacritics(`${title}\n${heading}\n`)}${foldDiacritics(GROWTH)}`);
    expect(parts).toEqual(whole);
  });

  it("passageSparsevec is the same vector as toSparsevec(documentWeights(...)), also when capped", () => {
    const text = `${POINTS} ${GROWTH} ${SECRETARY} ${GROWTH}`;
    const counts = countTerms(text);
    const sorted = sortedFoldedTerms(foldDiacritics(text));
    for (const avgdl of [1, 37.5, 120, 10_000]) {
      expect(passageSparsevec(sorted, avgdl)).toBe(toSparsevec(documentWeights(counts, avgdl)));
      expect(passageSparsevec(sorted, avgdl, 10)).toBe(toSparsevec(documentWeights(counts, avgdl), 10));
    }
  });

  it("sortedFoldedTerms counts exactly the terms the strings hash to, term ids ascending", () => {
    for (const text of [
      `${POINTS} ${GROWTH} ${SECRETARY} ${GROWTH}`,
      "a",
      "",
      "Tăng trưởng tăng trưởng 1.662.336",
      "1.662.336 người, 1.662.336; 11,5% và 2026-2030, 1. ,5 abc123xyz 3.4.5,6 x.1",
      "Ủy ban nhân dân TP. Hà Nội\n\nHĐND",
    ]) {
      const reference = new Map<number, number>();
      const strings = lexicalTerms(syllables(text)).map(termId);
      for (const id of strings) reference.set(id, (reference.get(id) ?? 0) + 1);
      const { ids, tfs, length } = sortedFoldedTerms(foldDiacritics(text));
      expect(length).toBe(strings.length);
      expect([...ids]).toEqual([...reference.keys()].sort((a, b) => a - b));
      expect([...tfs]).toEqual([...ids].map((id) => reference.get(id)));
    }
  });

  it("termArrayLiteral prints PostgreSQL's int[] text form", () => {
    expect(termArrayLiteral(new Uint32Array([1, 999_999_937, 10, 4_294_967_295]))).toBe(
      "{1,999999937,10,4294967295}",
    );
    expect(termArrayLiteral(new Uint32Array())).toBe("{}");
  });

  it("queryTermIds are distinct, in order, and the same with or without marks", () => {
    const ids = queryTermIds("Tăng trưởng, tăng trưởng");
    expect(ids).toEqual([termId("tang"), termId("truong"), termId("tang truong"), termId("truong tang")]);
    expect(queryTermIds("chỉ tiêu tăng trưởng")).toEqual(queryTermIds("chi tieu tang truong"));
  });

  it("toSparsevec prints ascending indices in pgvector's {i:w,...}/dim form", () => {
    const weights = new Map([
      [30, 0.5],
      [2, 1.23456789],
      [999, 2],
      [7, 0],
    ]);
    expect(toSparsevec(weights)).toBe(`{2:1.23457,30:0.5,999:2}/${TERM_SPACE}`);
    expect(toSparsevec(new Map())).toBe(`{}/${TERM_SPACE}`);
  });

  it("toSparsevec of real passage weights is parseable and ascending", () => {
    const literal = toSparsevec(documentWeights(countTerms(POINTS), 60));
    const match = /^\{(.*)\}\/(\d+)$/.exec(literal);
    expect(match?.[2]).toBe(String(TERM_SPACE));
    const indices = (match?.[1] ?? "").split(",").map((entry) => {
      const [index, weight] = entry.split(":");
      expect(Number(weight)).toBeGreaterThan(0);
      return Number(index);
    });
    expect(indices.length).toBeGreaterThan(10);
    for (let i = 1; i < indices.length; i++) expect(indices[i]).toBeGreaterThan(indices[i - 1] as number);
  });
});

describe("sparsevec size cap", () => {
  it("keeps the strongest entries of an over-long passage, in index order", async () => {
    const { toSparsevec } = await import("../../src/text/bm25.ts");
    const weights = new Map<number, number>([
      [30, 0.5],
      [10, 2],
      [20, 1],
    ]);
    expect(toSparsevec(weights, 2)).toBe("{10:2,20:1}/999999937");
    expect(toSparsevec(weights)).toBe("{10:2,20:1,30:0.5}/999999937");
  });
});
