import { describe, expect, it } from "vitest";
import { rankingVariants, viquadSet } from "../../bench/ablate-ranking.ts";
import type { AlqacLaw } from "../../bench/alqac.ts";
import { ALQAC_LAYOUTS, alqacDocs } from "../../bench/bench-alqac.ts";
import { PLAIN_BM25, PLAIN_RANKING } from "../../bench/bench-retrieval.ts";
import type { ViquadItem } from "../../src/eval/viquad.ts";

// The shape of ../shared/bench/alqac2023/law.json, in miniature (the test never reads ../shared).
const LAWS: AlqacLaw[] = [
  {
    id: "Luật Cư trú",
    articles: [
      {
        id: "1",
        text: "Phạm vi điều chỉnh\nLuật này quy định về việc thực hiện quyền tự do cư trú của công dân.",
      },
      { id: "2", text: "  Trách nhiệm của cơ quan đăng ký cư trú\n1. Tiếp nhận hồ sơ.\n2. Cấp giấy tờ.  " },
      { id: "3", text: "  \n " },
      { id: "4", text: "Điều khoản thi hành" },
    ],
  },
];

describe("ALQAC layouts", () => {
  it("names two layouts, the tuned one first (the default)", () => {
    expect(ALQAC_LAYOUTS).toEqual(["heading-in-title", "article-doc"]);
    expect(alqacDocs(LAWS)).toEqual(alqacDocs(LAWS, "heading-in-title"));
  });

  it("heading-in-title: the article's title line joins the law and number in the title", () => {
    expect(alqacDocs(LAWS, "heading-in-title")).toEqual([
      {
        id: "Luật Cư trú#1",
        title: "Luật Cư trú, Điều 1. Phạm vi điều chỉnh",
        text: "Luật này quy định về việc thực hiện quyền tự do cư trú của công dân.",
      },
      {
        id: "Luật Cư trú#2",
        title: "Luật Cư trú, Điều 2. Trách nhiệm của cơ quan đăng ký cư trú",
        text: "1. Tiếp nhận hồ sơ.\n2. Cấp giấy tờ.",
      },
      // An article of one line keeps it as its text too.
      { id: "Luật Cư trú#4", title: "Luật Cư trú, Điều 4. Điều khoản thi hành", text: "Điều khoản thi hành" },
    ]);
  });

  it("article-doc: one document per article titled by law and number, the whole article its text", () => {
    expect(alqacDocs(LAWS, "article-doc")).toEqual([
      {
        id: "Luật Cư trú#1",
        title: "Luật Cư trú, Điều 1",
        text: "Phạm vi điều chỉnh\nLuật này quy định về việc thực hiện quyền tự do cư trú của công dân.",
      },
      {
        id: "Luật Cư trú#2",
        title: "Luật Cư trú, Điều 2",
        text: "Trách nhiệm của cơ quan đăng ký cư trú\n1. Tiếp nhận hồ sơ.\n2. Cấp giấy tờ.",
      },
      { id: "Luật Cư trú#4", title: "Luật Cư trú, Điều 4", text: "Điều khoản thi hành" },
    ]);
  });

  it("gives both layouts the same document ids, so the questions' relevant articles match either", () => {
    const ids = (layout: (typeof ALQAC_LAYOUTS)[number]) => alqacDocs(LAWS, layout).map((d) => d.id);
    expect(ids("article-doc")).toEqual(ids("heading-in-title"));
  });
});

describe("the ranking ablation", () => {
  it("starts from plain BM25 and the defaults, every variant named once", () => {
    const variants = rankingVariants();
    expect(variants[0]).toEqual({ name: PLAIN_BM25, ranking: PLAIN_RANKING, expand: false });
    expect(variants[1]).toEqual({ name: "defaults (DEFAULT_RANKING)" });
    expect(new Set(variants.map((v) => v.name)).size).toBe(variants.length);
  });

  it("lays ViQuAD out as eval:viquad does: one document per paragraph, answerable questions only", () => {
    const item = (row: number, question: string, answer: string, path: string): ViquadItem => ({
      row,
      question,
      answer,
      answerable: answer !== "",
      title: "Hà Nội",
      paragraph: `đoạn ${path}`,
      path,
    });
    const { docs, queries } = viquadSet([
      item(2, "Thủ đô là gì?", "Hà Nội", "ha-noi-1.md"),
      item(3, "Ai đặt tên?", "", "ha-noi-1.md"),
      item(4, "Năm nào?", "1010", "ha-noi-2.md"),
    ]);
    expect(docs).toEqual([
      { id: "ha-noi-1.md", title: "Hà Nội", text: "đoạn ha-noi-1.md" },
      { id: "ha-noi-2.md", title: "Hà Nội", text: "đoạn ha-noi-2.md" },
    ]);
    expect(queries).toEqual([
      { id: "2", q: "Thủ đô là gì?", relevant: ["ha-noi-1.md"] },
      { id: "4", q: "Năm nào?", relevant: ["ha-noi-2.md"] },
    ]);
  });
});
