/**
 * The diacritic-free, lower-case form used for matching: many members type without marks
 * ("chi tieu tang truong"), so both the corpus and the question are compared in this form.
 * One code unit in → one code unit out for every Vietnamese letter, so offsets stay aligned
 * with the NFC text (precomposed letters fold to one ASCII letter; đ → d).
 */
export function foldDiacritics(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFC")) {
    if (ch === "đ" || ch === "Đ") {
      out += "d";
      continue;
    }
    const base = ch.normalize("NFD").replace(/\p{M}+/gu, "");
    // Keep the length of the NFC character where folding would change it (rare symbols),
    // so folded and original text can be sliced with the same offsets.
    const lower = base.toLowerCase();
    out += lower.length === ch.length ? lower : " ".repeat(ch.length);
  }
  return out;
}
