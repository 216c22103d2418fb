import type { Citation } from "../contract/answer.ts";
import { toCitation } from "../contract/citation.ts";
import type { FactStore, StoredFact } from "../store/fact-store.ts";
import type { FactKind } from "../text/extract-facts.ts";
import { type Keyword, matchesKeyword, parseKeyword } from "../text/keyword-match.ts";

/**
 * "Chỉ tiêu": the targets and figures of the corpus at a glance, from the facts index, filtered
 * by a keyword typed with or without diacritics. Every channel shows this list; none computes it.
 */

/** One target as every channel receives it (and `npm run targets -- --json` prints). */
export interface Target {
  /** the figure as written: "11%", "43", "năm", "1.662.336", "2026-2031" */
  value: string;
  kind: FactKind;
  /** what it counts or measures: "tăng trưởng kinh tế", "chỉ tiêu chủ yếu" */
  counts: string;
  /** "từ ... trở lên" ("..." stands for the figure), "thay cho 10 nhóm nhiệm vụ"; null when none */
  qualifier: string | null;
  /** the period it applies to, as written; null when the sentence gives none */
  period: string | null;
  /** where it is written: the sentence, in the answer contract's shape */
  citation: Citation;
}

export interface TargetList {
  /** the keyword as it was read (normalised), "" for the whole list */
  keyword: string;
  targets: Target[];
}

/** Words that name the list itself: "/chitieu chỉ tiêu tăng trưởng" still means "tăng trưởng". */
const FRAME_WORDS = new Set(["chi", "tieu", "muc", "con", "so", "lieu"]);

/** The citation of a fact: its sentence in its passage (the quote is a substring of the passage text). */
export function factCitation(fact: StoredFact, n: number): Citation {
  // The sentence is a substring of the passage; it is all the citation needs of it.
  const passage = {
    chunkId: fact.chunkId,
    text: fact.quote,
    document: fact.document,
    headingPath: fact.headingPath,
    ...(fact.pages ? { pages: fact.pages } : {}),
  };
  return toCitation(n, passage, fact.quote);
}

export function toTarget(fact: StoredFact, n: number): Target {
  return {
    value: fact.value,
    kind: fact.kind,
    counts: fact.counts,
    qualifier: fact.qualifier ?? null,
    period: fact.period ?? null,
    citation: factCitation(fact, n),
  };
}

/** "từ 11% trở lên" from value "11%" and qualifier "từ ... trở lên"; the comparison part stays apart. */
export function qualifiedValue(t: Pick<Target, "value" | "qualifier">): {
  figure: string;
  comparison?: string;
} {
  if (!t.qualifier) return { figure: t.value };
  const [first = "", ...rest] = t.qualifier.split("; ");
  if (first.includes("...")) {
    return {
      figure: first.replace("...", t.value),
      ...(rest.length ? { comparison: rest.join("; ") } : {}),
    };
  }
  return { figure: t.value, comparison: t.qualifier };
}

/**
 * A target in one line of plain text: "43 chỉ tiêu chủ yếu (2026-2030)", "tăng trưởng kinh tế:
 * từ 11% trở lên (2026-2031)", "12 nhóm nhiệm vụ chủ yếu, thay cho 10 nhóm nhiệm vụ".
 */
export function describeTarget(
  t: Pick<Target, "value" | "kind" | "counts" | "qualifier" | "period">,
): string {
  const { figure, comparison } = qualifiedValue(t);
  const head = t.kind === "count" ? `${figure} ${t.counts}` : t.counts ? `${t.counts}: ${figure}` : figure;
  return `${head}${comparison ? `, ${comparison}` : ""}${t.period ? ` (${t.period})` : ""}`;
}

export interface TargetsDeps {
  facts: Pick<FactStore, "list">;
}

export function createTargets({ facts }: TargetsDeps) {
  async function matching(keyword: Keyword): Promise<StoredFact[]> {
    const rows = await facts.list(keyword.folded);
    return rows.filter(
      (f) =>
        // The figures in force: not those of a superseded version, nor of one not yet in effect.
        f.document.inForce !== false &&
        matchesKeyword([f.value, f.counts, f.qualifier ?? "", f.period ?? "", f.context].join(" "), keyword),
    );
  }

  return {
    /**
     * The targets, in document order, whose figure, counted thing, qualifier, period or clause holds
     * every word of `keyword` (all of them without one). The ones whose counted thing matches come first.
     * Only documents in force count (migration 016): a superseded plan's figures are not targets.
     */
    async list(keyword = ""): Promise<TargetList> {
      const parsed = parseKeyword(keyword, { dropQuestionWords: true });
      let found = await matching(parsed);
      if (found.length === 0 && parsed.folded.some((f) => FRAME_WORDS.has(f))) {
        const kept = parsed.folded
          .map((f, i) => ({ f, m: parsed.marked[i] as string }))
          .filter((x) => !FRAME_WORDS.has(x.f));
        if (kept.length > 0) {
          found = await matching({
            text: parsed.text,
            folded: kept.map((x) => x.f),
            marked: kept.map((x) => x.m),
          });
        }
      }
      const inCounts = (f: StoredFact) => matchesKeyword(`${f.value} ${f.counts}`, parsed);
      const ordered = [...found.filter(inCounts), ...found.filter((f) => !inCounts(f))];
      return { keyword: parsed.text, targets: ordered.map((f, i) => toTarget(f, i + 1)) };
    },
  };
}

export type Targets = ReturnType<typeof createTargets>;
