/**
 * A window of a quoted sentence around one span (a figure, a blank), cut at word boundaries and
 * marked with "…" where cut, for places with little room: a list line, a quiz question (Telegram:
 * 300 characters), a quiz explanation (200). The citation always keeps the whole sentence.
 */
export function excerptAround(text: string, start: number, end: number, maxChars: number): string {
  const whole = text.trim();
  if (whole.length <= maxChars) return whole;
  // Prefer the clause (between ";") that holds the span when it fits.
  const clauseStart = text.lastIndexOf(";", start - 1) + 1;
  const semicolon = text.indexOf(";", end);
  const clauseEnd = semicolon < 0 ? text.length : semicolon;
  let from = clauseStart;
  let to = clauseEnd;
  if (to - from > maxChars - 2) {
    // Centre the window on the span, a little more after it than before (what follows explains it).
    const room = Math.max(0, maxChars - 2 - (end - start));
    from = Math.max(clauseStart, start - Math.floor(room * 0.4));
    to = Math.min(clauseEnd, from + (maxChars - 2));
    from = Math.max(clauseStart, Math.min(from, to - (maxChars - 2)));
  }
  // Whole words only.
  while (from > clauseStart && from < start && /\S/.test(text[from - 1] ?? "")) from++;
  while (to < clauseEnd && to > end && /\S/.test(text[to] ?? "")) to--;
  const body = text.slice(from, to).trim().replace(/[;,]$/, "");
  const lead = from > 0 && text.slice(0, from).trim() ? "…" : "";
  const tail = to < text.length && text.slice(to).replace(/^[;,.\s]+/, "") ? "…" : "";
  return `${lead}${body}${tail}`;
}

/** Cuts text to at most `max` characters at a word boundary, with "…" when cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(" ");
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, "")}…`;
}
