import { syllables } from "./tokenize.ts";

/**
 * Words that say what kind of answer is wanted or carry the conversation ("gì", "bao nhiêu",
 * "cho tôi biết"), not what the question is about. Retrieval down-weights them; the answerer does
 * not count them when judging whether a passage covers the question.
 */
const PHRASES = [
  "gì",
  "nào",
  "bao nhiêu",
  "mấy",
  "ai",
  "đâu",
  "sao",
  "thế nào",
  "như thế nào",
  "là gì",
  "có phải",
  "đúng hay sai",
  "hãy",
  "cho biết",
  "cho tôi biết",
  "tôi",
  "mình",
  "bạn",
  "không",
  "thì sao",
  "những",
  "các",
  "là",
  "của",
  "có",
  "được",
  "vậy",
  "ạ",
  "nhỉ",
  "à",
  "ơi",
  "xin",
  "hỏi",
  "muốn",
  "biết",
  "còn",
  "thì",
  "nữa",
  "đó",
  "ấy",
  "này",
  "kia",
  "gồm",
  "bao gồm",
  "về",
  "và",
  "với",
  "cho",
  "em",
  "anh",
  "chị",
];

/** Folded phrases of the list, their syllables, and the bigrams inside them ("bao nhieu", "bao", "nhieu"). */
export const QUESTION_WORDS: ReadonlySet<string> = new Set(
  PHRASES.flatMap((w) => {
    const s = syllables(w);
    return [...s, ...s.slice(1).map((t, i) => `${s[i]} ${t}`)];
  }),
);

export function isQuestionWord(foldedTerm: string): boolean {
  return QUESTION_WORDS.has(foldedTerm);
}

/** A bigram one of whose syllables is a question word ("nội là", "bao nhiêu") says little about the topic. */
export function touchesQuestionWord(foldedTerm: string): boolean {
  if (QUESTION_WORDS.has(foldedTerm)) return true;
  // Called for every term of every candidate sentence: no array for the usual one-space bigram.
  const space = foldedTerm.indexOf(" ");
  if (space < 0) return false;
  if (foldedTerm.indexOf(" ", space + 1) >= 0)
    return foldedTerm.split(" ").some((part) => QUESTION_WORDS.has(part));
  return QUESTION_WORDS.has(foldedTerm.slice(0, space)) || QUESTION_WORDS.has(foldedTerm.slice(space + 1));
}
