/**
 * PostgreSQL refuses two things a user can type (or a client can send): NUL characters (in text
 * and in jsonb) and lone UTF-16 surrogates (JSON.stringify writes them as "\ud800", which jsonb
 * rejects). Either would turn a question into a failed insert. What is stored is what was asked,
 * with lone surrogates as U+FFFD and NULs dropped.
 */
export function storableText(text: string): string {
  return (
    text
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must go
      .replace(/\u0000/g, "")
  );
}

/** JSON for a jsonb parameter, every string in it made storable. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? storableText(v) : v));
}
