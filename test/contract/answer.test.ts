import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { type Answer, type answerSchema, parseAnswer } from "../../src/contract/answer.ts";

/** An answer as `npm run ask -- --json` prints it for the growth question (quote shortened). */
const growth: Answer = {
  id: "5f0c2a64-8d0e-4a52-9f3e-2b7d1c9e4a10",
  question: "Hà Nội phấn đấu tăng trưởng kinh tế bao nhiêu?",
  answer:
    "**từ 11% trở lên** — … phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031. [1]",
  found: true,
  confidence: 0.93,
  mode: "extractive",
  shortAnswer: "từ 11% trở lên",
  citations: [
    {
      n: 1,
      document: "Hà Nội tiên phong đưa Nghị quyết XIV của Đảng vào cuộc sống",
      section: "Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô",
      url: "https://kinhtedothi.vn/ha-noi-tien-phong-dua-nghi-quyet-xiv-cua-dang-vao-cuoc-song.html",
      publisher: "Kinh tế & Đô thị",
      quote: "phấn đấu đạt tăng trưởng kinh tế từ 11% trở lên trong nhiệm kỳ 2026-2031.",
      chunkId: "0123456789abcdef0123",
    },
  ],
  ms: 14,
};

/** A refusal: nothing found, no citations, nearby topics instead. */
const refusal: Answer = {
  question: "Giá vàng hôm nay?",
  answer: "Tài liệu hiện có không đề cập đến nội dung này, nên tôi không thể trả lời.",
  found: false,
  confidence: 0.02,
  mode: "extractive",
  citations: [],
  related: ["Xác lập định hướng chiến lược, nâng tầm phát triển Thủ đô"],
  ms: 3,
};

/** The message parseAnswer throws for `value`, or "" when it is accepted. */
function rejection(value: unknown): string {
  try {
    parseAnswer(value, "the answer");
    return "";
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe("the answer contract's schema", () => {
  it("accepts a found answer and a refusal as they are, dropping nothing", () => {
    expect(parseAnswer(growth)).toEqual(growth);
    expect(parseAnswer(refusal)).toEqual(refusal);
    expect(parseAnswer(JSON.parse(JSON.stringify(growth)))).toEqual(growth);
  });

  it("is where the Answer type comes from", () => {
    expectTypeOf<z.infer<typeof answerSchema>>().toEqualTypeOf<Answer>();
    expectTypeOf<Answer["mode"]>().toEqualTypeOf<"extractive" | "generative">();
    expectTypeOf<Answer["verdict"]>().toEqualTypeOf<"true" | "false" | undefined>();
  });

  it("rejects a malformed answer with a message naming the field and what was wrong", () => {
    const { citations: _citations, ...withoutCitations } = growth;
    expect(rejection(withoutCitations)).toMatch(
      /^the answer is not an answer of the contract: citations: .*array/,
    );
    const noQuote = { ...growth, citations: [{ ...growth.citations[0], quote: undefined }] };
    expect(rejection(noQuote)).toMatch(/citations\.0\.quote: .*expected string/);
    expect(rejection({ ...growth, mode: "llm" })).toMatch(/mode: .*"extractive"\|"generative"/);
    expect(rejection({ ...growth, found: "yes" })).toMatch(/found: .*expected boolean/);
    expect(rejection({ ...growth, confidence: 1.5 })).toMatch(/confidence: .*<=1/);
    expect(rejection({ ...growth, verdict: true })).toMatch(/verdict: /);
    expect(rejection({ ...growth, citations: [{ ...growth.citations[0], n: 0 }] })).toMatch(
      /citations\.0\.n: /,
    );
    expect(rejection("**từ 11% trở lên**")).toMatch(
      /^the answer is not an answer of the contract: .*expected object/,
    );
    expect(rejection(null)).toMatch(/expected object/);
  });

  it("lists every problem of an answer at once", () => {
    const message = rejection({ ...growth, question: 42, ms: -1 });
    expect(message).toMatch(/question: .*expected string/);
    expect(message).toMatch(/ms: .*>=0/);
  });

  it("rejects citations on an answer that found nothing, and two citations under one marker", () => {
    expect(rejection({ ...refusal, citations: growth.citations })).toBe(
      "the answer is not an answer of the contract: citations: must be empty when found is false",
    );
    const twice = { ...growth, citations: [growth.citations[0], growth.citations[0]] };
    expect(rejection(twice)).toBe(
      "the answer is not an answer of the contract: citations: marker numbers must be distinct (1, 1)",
    );
  });
});
