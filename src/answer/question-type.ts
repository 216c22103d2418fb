import { foldDiacritics } from "../text/fold-diacritics.ts";

export type QuestionType = "number" | "who" | "list" | "definition" | "general";

const has = (folded: string, pattern: RegExp) => pattern.test(folded);

/** "may" typed without diacritics before a counted noun: "mấy", not "máy" (machine). */
export const FOLDED_MAY_COUNT =
  /\bmay (nhom|chi tieu|dot pha|truc|dinh huong|phu luc|nhiem vu|diem|muc|lan|nam|khau)\b/;

/**
 * What kind of answer the question wants, from its question words. "mấy" folds to "may", which is
 * also "máy" (machine): without diacritics it counts as a number cue only before a counted noun.
 */
export function questionType(question: string): QuestionType {
  const lower = question.normalize("NFC").toLowerCase();
  const folded = foldDiacritics(lower);
  const typedWithMarks = folded !== lower;
  if (has(folded, /\b(bao nhieu|ty le|ti le|phan tram|bao lau|nam nao|luc nao|khi nao)\b/)) return "number";
  if (typedWithMarks ? /(^|\s)mấy(\s|$)/u.test(lower) : has(folded, FOLDED_MAY_COUNT)) return "number";
  if (has(folded, /(^|\s)(ai|nguoi nao|co quan nao|don vi nao|ban nao|to chuc nao)(\s|\?|$)/)) return "who";
  if (
    has(
      folded,
      /\b(gom nhung|gom nhung gi|nhung gi|bao gom|gom nhung ai|la nhung|cac .* nao|nhung .* nao|gom)\b/,
    )
  )
    return "list";
  if (has(folded, /\b(la gi|nghia la|the nao la|la sao|co y nghia)\b/)) return "definition";
  // "chỉ tiêu tăng trưởng của Hà Nội": asking for a target is asking for its figure.
  if (has(folded, /\b(chi tieu|muc tieu) (tang truong|thu nhap|grdp|gdp)\b/)) return "number";
  return "general";
}
