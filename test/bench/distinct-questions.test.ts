import { describe, expect, it } from "vitest";
import { corpusSentences, distinctQuestions } from "../../bench/distinct-questions.ts";
import { foldDiacritics } from "../../src/text/fold-diacritics.ts";

describe("distinct questions for the load benchmark", () => {
  const sentences = corpusSentences("corpus");

  it("are distinct, reproducible from the seed, and of every kind members ask", () => {
    const questions = distinctQuestions(sentences, 1000, 3);
    expect(questions).toHaveLength(1000);
    const keys = questions.map((q) => foldDiacritics(q.question.toLowerCase()).replace(/\s+/g, " ").trim());
    expect(new Set(keys).size).toBe(1000);
    expect(distinctQuestions(sentences, 1000, 3)).toEqual(questions);
    expect(distinctQuestions(sentences, 1000, 4)).not.toEqual(questions);
    const kinds = new Set(questions.map((q) => q.kind));
    for (const kind of ["topic", "keyword", "plain", "paraphrase", "follow-up", "out-of-scope"])
      expect(kinds, kind).toContain(kind);
    // a third or so typed without diacritics
    const plain = questions.filter((q) => q.question === foldDiacritics(q.question)).length;
    expect(plain / questions.length).toBeGreaterThan(0.2);
  });

  it("sends each follow-up in the conversation of the question before it", () => {
    const questions = distinctQuestions(sentences, 300, 5);
    questions.forEach((q, i) => {
      if (q.kind !== "follow-up") return;
      expect(q.conversationId).toBeDefined();
      expect(questions[i - 1]?.conversationId).toBe(q.conversationId);
    });
    expect(questions.some((q) => q.kind === "follow-up")).toBe(true);
  });

  it("says so when the corpus cannot give that many", () => {
    expect(() => distinctQuestions(["Hà Nội phấn đấu tăng trưởng kinh tế từ 11% trở lên."], 5000)).toThrow(
      /only \d+ distinct questions/,
    );
  });
});
