/**
 * Vietnamese text normalisation shared by ingestion and queries, so that a question typed in any
 * of the common encodings finds the same passages.
 */

// Tone marks in NFD. Other combining marks (circumflex, breve, horn) are part of the vowel, not the tone.
const TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323";
const TONE = `[${TONE_MARKS}]`;

// Old style puts the tone on the second vowel of open "oa", "oe", "uy" ("hoà", "uỷ", "thuỷ");
// new style on the first ("hòa", "ủy", "thủy"). The corpus mostly uses the new style, so we
// move the mark there. Only open syllables: in "hoàng" or "khuỳnh" both styles agree. "qu" is a
// consonant, so "quý" keeps its mark on y.
const OLD_STYLE = new RegExp(
  `(^|[^qQ\\p{M}])([oO])([aAeE])(${TONE})(?![\\p{L}\\p{M}])|` +
    `(^|[^qQ\\p{M}])([uU])([yY])(${TONE})(?![\\p{L}\\p{M}])`,
  "gu",
);

/** Moves old-style tone marks to the new-style position ("hoà" → "hòa", "uỷ" → "ủy"). */
export function unifyToneMarks(text: string): string {
  const nfd = text.normalize("NFD");
  const moved = nfd.replace(
    OLD_STYLE,
    (
      _m,
      p1?: string,
      o?: string,
      a?: string,
      t1?: string,
      p2?: string,
      u?: string,
      y?: string,
      t2?: string,
    ) => (o !== undefined ? `${p1}${o}${t1}${a}` : `${p2}${u}${t2}${y}`),
  );
  return moved.normalize("NFC");
}

/**
 * Control characters (other than newline and tab), lone surrogates and zero-width characters
 * carry no meaning for us and break substring citations, so they are removed before anything else.
 */
export function stripInvisible(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2060\ufeff]/g, "")
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "")
  );
}

/** NFC, one tone-mark placement, invisible characters removed. Keeps line breaks. */
export function normalizeText(text: string): string {
  return unifyToneMarks(stripInvisible(text).normalize("NFC"));
}

/** normalizeText, then every run of whitespace (including line breaks) collapsed to one space. */
export function normalizeInline(text: string): string {
  return normalizeText(text).replace(/\s+/g, " ").trim();
}
