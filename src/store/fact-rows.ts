import { syllables } from "../text/tokenize.ts";
import type { Queryable } from "./database.ts";
import { documentFacts, type FactRow, type FactSourceChunk } from "./document-facts.ts";

/**
 * The write half of the facts index (migration 009), kept apart so that the corpus store can call
 * it from its batch preparation and its write transaction without knowing anything else about facts.
 */

/** Folded syllables a keyword filter matches against: what the fact counts and the words around it. */
function factTerms(f: Pick<FactRow, "value" | "counts" | "qualifier" | "period" | "context">): string[] {
  return [...new Set(syllables([f.value, f.counts, f.qualifier ?? "", f.period ?? "", f.context].join(" ")))];
}

function toRecord(f: FactRow) {
  return {
    chunk_id: f.chunkId,
    position: f.position,
    value: f.value,
    kind: f.kind,
    amount: f.amount,
    counts: f.counts,
    qualifier: f.qualifier ?? null,
    period: f.period ?? null,
    quote: f.quote,
    value_start: f.valueStart,
    value_end: f.valueEnd,
    phrase_end: f.phraseEnd,
    context: f.context,
    // Folded syllables are [a-z0-9.] only: safe as an array literal.
    terms: `{${factTerms(f).join(",")}}`,
  };
}

/** The facts of a batch of documents as the JSON `insertFacts` sends (the CPU half, before the transaction). */
export function factsJsonFor(documents: readonly { chunks: readonly FactSourceChunk[] }[]): string {
  return JSON.stringify(documents.flatMap((d) => documentFacts(d.chunks).map(toRecord)));
}

/** Writes prepared facts; their passages must already be in `tx` (same transaction as the document). */
export async function insertFacts(tx: Queryable, factsJson: string): Promise<void> {
  if (factsJson === "[]") return;
  await tx.query(
    `INSERT INTO facts (chunk_id, position, value, kind, amount, counts, qualifier, period, quote,
                        value_start, value_end, phrase_end, context, terms)
     SELECT f.chunk_id, f.position, f.value, f.kind, f.amount, f.counts, f.qualifier, f.period, f.quote,
            f.value_start, f.value_end, f.phrase_end, f.context, f.terms::text[]
       FROM jsonb_to_recordset($1::jsonb) AS f(chunk_id text, position int, value text, kind text,
            amount float8, counts text, qualifier text, period text, quote text, value_start int,
            value_end int, phrase_end int, context text, terms text)`,
    [factsJson],
  );
}

/**
 * factsJsonFor for a bulk batch: the same JSON, computed document by document with a yield to the
 * event loop every few milliseconds, like the rest of the batch preparation, so that the write of
 * the previous batch (and any request being served) is not held up behind it.
 */
export async function prepareFacts(
  documents: readonly { chunks: readonly FactSourceChunk[] }[],
): Promise<string> {
  const records: ReturnType<typeof toRecord>[] = [];
  let since = performance.now();
  for (const d of documents) {
    for (const f of documentFacts(d.chunks)) records.push(toRecord(f));
    if (performance.now() - since >= 4) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
  return JSON.stringify(records);
}
