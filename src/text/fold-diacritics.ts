/**
 * The diacritic-free, lower-case form used for matching: many members type without marks
 * ("chi tieu tang truong"), so both the corpus and the question are compared in this form.
 * One code unit in → one code unit out for every Vietnamese letter, so offsets stay aligned
 * with the NFC text (precomposed letters fold to one ASCII letter; đ → d).
 */
export function foldDiacritics(text: string): string {
  const nfc = text.normalize("NFC");
  // Most passages are a few hundred characters, a third of them non-ASCII: one lookup per code
  // unit into a table filled on first sight, then one string built from the code units.
  const n = nfc.length;
  let out: Uint16Array | undefined;
  for (let i = 0; i < n; i++) {
    const c = nfc.charCodeAt(i);
    if (c < 0x80 && (c < 0x41 || c > 0x5a)) {
      if (out) out[i] = c;
      continue;
    }
    // A surrogate pair folds as one character: the slower path, character by character.
    if (c >= 0xd800 && c <= 0xdfff) return foldByCharacter(nfc);
    const folded = foldUnit(c);
    if (folded !== c && !out) {
      out = new Uint16Array(n);
      for (let j = 0; j < i; j++) out[j] = nfc.charCodeAt(j);
    }
    if (out) out[i] = folded;
  }
  return out ? UTF16.decode(out) : nfc;
}

/**
 * The fold of each BMP code unit, remembered once seen (0: not yet): folding runs over every
 * character of the corpus at ingestion and of every question, a few hundred distinct ones. Every
 * fold of one code unit is one code unit.
 */
const FOLDED_UNITS = new Uint16Array(0x10000);
const UTF16 = new TextDecoder("utf-16le");

function foldUnit(c: number): number {
  let folded = FOLDED_UNITS[c] as number;
  if (folded === 0) {
    folded = foldChar(String.fromCharCode(c)).charCodeAt(0);
    FOLDED_UNITS[c] = folded;
  }
  return folded;
}

function foldByCharacter(nfc: string): string {
  // Only upper-case ASCII and non-ASCII characters change; the rest is copied as is.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range starts at U+0000 on purpose
  return nfc.replace(/[^\u0000-\u0040\u005b-\u007f]/gu, (ch) =>
    ch.length === 1 ? String.fromCharCode(foldUnit(ch.charCodeAt(0))) : foldChar(ch),
  );
}

function foldChar(ch: string): string {
  if (ch === "đ" || ch === "Đ") return "d";
  const lower = ch
    .normalize("NFD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  // Keep the length of the NFC character where folding would change it (rare symbols, stray
  // combining marks), so folded and original text can be sliced with the same offsets.
  return lower.length === ch.length ? lower : " ".repeat(ch.length);
}
