import type { Citation } from "../contract/answer.ts";
import { pageAndScanLabel, toCitation } from "../contract/citation.ts";
import { capitalize } from "../facts/format-targets.ts";
import { describeTarget, qualifiedValue, type Target, type Targets } from "../facts/targets.ts";
import { answerExcerpt, definitionParts, enumerationItems } from "../quiz/offline-quiz.ts";
import type { Quizzes } from "../quiz/quiz-service.ts";
import { DIFFICULTY_LABEL, type QuizQuestion } from "../quiz/types.ts";
import type { Retriever } from "../retrieval/retriever.ts";
import { toStatsQuery } from "../stats/stats-query.ts";
import type { Queryable } from "../store/database.ts";
import type { FactStore, StoredFact } from "../store/fact-store.ts";
import { type ListedPassage, listPassages } from "../store/passage-list.ts";
import type { QuestionGroup, StatsStore } from "../store/stats-store.ts";
import { foldDiacritics } from "../text/fold-diacritics.ts";
import { type Keyword, matchesKeyword, parseKeyword, syllableSets } from "../text/keyword-match.ts";
import { syllables } from "../text/tokenize.ts";

/**
 * Study packs for trainers: one Markdown document per topic (or for the whole corpus) with the
 * key points (each a cited quote), the targets that concern the topic, five discussion questions,
 * a ten-question quiz with its answer key and the sources with links. Every [n] is a citation
 * whose quote is a sentence of a stored passage. Deterministic offline; with a chat model the
 * quiz holds its checked questions.
 */

export interface KeyPoint {
  /** the quoted sentence */
  quote: string;
  /** its source's number in `citations` */
  n: number;
}

export interface DiscussionQuestion {
  text: string;
  /** the source it starts from, when it quotes one */
  n?: number;
}

export interface StudyPack {
  /** as read (normalised); "" for the whole corpus */
  topic: string;
  title: string;
  /** false when the documents say nothing about the topic (the pack then says so) */
  found: boolean;
  /** a file name for downloads: "bai-hoc-<topic>.md" */
  filename: string;
  markdown: string;
  keyPoints: KeyPoint[];
  targets: Target[];
  discussion: DiscussionQuestion[];
  /** what members asked most about the topic in the last 90 days (no user id) */
  asked: QuestionGroup[];
  quiz: QuizQuestion[];
  /** every source the Markdown cites, numbered as its [n] markers */
  citations: Citation[];
}

export interface StudyPacksDeps {
  db: Queryable;
  retriever: Pick<Retriever, "retrieve">;
  facts: Pick<FactStore, "list">;
  targets: Pick<Targets, "list">;
  quizzes: Pick<Quizzes, "generate">;
  /** what members asked (the trainers' statistics); absent, the pack leaves that part out */
  stats?: Pick<StatsStore, "query">;
}

/** "What members asked most" looks back this many days, and lists this many questions. */
const ASKED_DAYS = 90;
const MAX_ASKED = 5;

const MAX_KEY_POINTS = 8;
const MAX_TARGETS = 20;
const QUIZ_SIZE = 10;
/** A sentence is a key point of the topic when it holds this much of the topic's weight (as answers). */
const MIN_TOPIC_COVERAGE = 0.55;
const WHOLE_CORPUS = "Chương trình hành động thực hiện Nghị quyết Đại hội XIV của Đảng";

/** Corpus text inside Markdown: shown literally, never as markup. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, "\\$&");
}

export function studyPackFilename(topic: string): string {
  const slug = foldDiacritics(topic)
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return `bai-hoc-${slug || "toan-bo"}.md`;
}

/**
 * Numbers citations in order of first use, one number per sentence of a document (overlapping
 * passages hold the same sentence: the first passage cited stands for it).
 */
function citationRegistry() {
  const list: Citation[] = [];
  const index = new Map<string, number>();
  return {
    list,
    cite(c: Omit<Citation, "n">): number {
      const key = `${c.document}\n${c.url ?? ""}\n${c.quote}`;
      const known = index.get(key);
      if (known) return known;
      const n = list.length + 1;
      list.push({ ...c, n });
      index.set(key, n);
      return n;
    },
  };
}

interface SentenceSource {
  passage: Pick<ListedPassage, "chunkId" | "text" | "headingPath" | "document">;
  text: string;
  /** position in the corpus, for document order */
  order: [string, number, number];
}

function sentencesOf(passages: readonly ListedPassage[]): SentenceSource[] {
  const out: SentenceSource[] = [];
  const seen = new Set<string>();
  for (const p of passages) {
    p.sentences.forEach((s, i) => {
      if (s.caption) return;
      const text = p.text.slice(s.start, s.end);
      const key = `${p.document.id}\n${text}`;
      if (seen.has(key) || syllables(text).length < 6) return;
      seen.add(key);
      out.push({ passage: p, text, order: [p.document.path, p.ordinal, i] });
    });
  }
  return out;
}

const byOrder = (a: SentenceSource, b: SentenceSource) =>
  a.order[0].localeCompare(b.order[0]) || a.order[1] - b.order[1] || a.order[2] - b.order[2];

export function createStudyPacks({ db, retriever, facts, targets, quizzes, stats }: StudyPacksDeps) {
  /**
   * Sentences of the top passages that cover most of the topic's weight, best first, then in
   * reading order. As for answers, a topic word the documents never use is a gap ("bóng đá" is
   * not covered by "đa trung tâm"), and a word typed with diacritics must match with them.
   */
  async function topicKeyPoints(topic: Keyword): Promise<SentenceSource[]> {
    const retrieval = await retriever.retrieve(topic.text, { k: 8 });
    const known = new Map(retrieval.terms.map((t) => [t.term, t.weight]));
    const gap = Math.max(1, ...known.values());
    const weights = topic.folded.map((f) => known.get(f) ?? gap);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 0) return [];
    const passages: ListedPassage[] = retrieval.passages.map((p) => ({
      chunkId: p.chunkId,
      ordinal: p.ordinal,
      headingPath: p.headingPath,
      text: p.text,
      sentences: p.sentences,
      document: p.document,
    }));
    const scored = sentencesOf(passages).map((s) => {
      const sets = syllableSets(s.text);
      let hit = 0;
      topic.folded.forEach((f, i) => {
        const one: Keyword = { text: f, folded: [f], marked: [topic.marked[i] as string] };
        if (matchesKeyword(sets, one)) hit += weights[i] as number;
      });
      return { s, coverage: hit / total };
    });
    return scored
      .filter((x) => x.coverage >= MIN_TOPIC_COVERAGE)
      .sort((a, b) => b.coverage - a.coverage || byOrder(a.s, b.s))
      .slice(0, MAX_KEY_POINTS)
      .map((x) => x.s)
      .sort(byOrder);
  }

  /** The whole corpus: sentences that state a figure, a motto or a definition, in reading order. */
  async function corpusKeyPoints(allFacts: readonly StoredFact[]): Promise<SentenceSource[]> {
    const factSentences = new Set(allFacts.map((f) => `${f.chunkId}\n${f.quote}`));
    const passages = await listPassages(db, { limit: 400 });
    // A superseded version's sentences are not key points (migration 016).
    const sentences = sentencesOf(passages.filter((p) => p.document.inForce !== false));
    return sentences
      .filter(
        (s) =>
          factSentences.has(`${s.passage.chunkId}\n${s.text}`) ||
          /“[^”]+,[^”]+”/u.test(s.text) ||
          definitionParts(s.text) !== undefined,
      )
      .slice(0, MAX_KEY_POINTS);
  }

  function discussionQuestions(
    topicLabel: string,
    keyPoints: readonly KeyPoint[],
    list: readonly Target[],
    allFacts: readonly StoredFact[],
    cite: (c: Omit<Citation, "n">) => number,
    inTopic: (text: string) => boolean,
  ): DiscussionQuestion[] {
    const out: DiscussionQuestion[] = [];
    // A target proper: a rate or an amount to reach, or a number of targets ("43 chỉ tiêu").
    const target = list.find(
      (t) =>
        t.kind === "percentage" || t.kind === "money" || /(^|\s)(chỉ tiêu|mục tiêu)(\s|$)/u.test(t.counts),
    );
    if (target) {
      const { n: _ignored, ...citation } = target.citation;
      out.push({
        text: `Để góp phần thực hiện “${describeTarget(target)}”, chi bộ, cơ quan, đơn vị của đồng chí cần làm những việc gì cụ thể, đo đếm được?`,
        n: cite(citation),
      });
    }
    for (const f of allFacts) {
      if (out.length >= 2 || f.kind !== "count" || f.amount === null || f.amount < 2 || f.amount > 10)
        continue;
      if (!inTopic(`${f.counts} ${f.context}`)) continue;
      const items = enumerationItems(f.quote, f.phraseEnd, f.amount);
      if (!items || items.some((i) => i.text.length > 90)) continue;
      out.push({
        text: `Trong ${f.value} ${f.counts} (${items.map((i) => i.text).join("; ")}), nội dung nào gắn trực tiếp nhất với nhiệm vụ của địa phương, đơn vị đồng chí? Vì sao?`,
        n: cite(toCitation(0, { ...f, text: f.quote }, f.quote)),
      });
    }
    // The richest quoted motto of the key points (the one with the most parts).
    const mottos = keyPoints.flatMap((k) =>
      [...k.quote.matchAll(/“([^“”]+[,;][^“”]+)”/gu)].map((m) => ({ k, text: m[1] as string })),
    );
    const parts = (t: string) => t.split(/[,;]/).length;
    const best = mottos.sort((a, b) => parts(b.text) - parts(a.text))[0];
    const motto = best?.k;
    const mottoText = best?.text;
    if (motto && mottoText) {
      out.push({
        text: `Tinh thần “${mottoText}” cần được cụ thể hóa như thế nào trong sinh hoạt và công việc hằng ngày của chi bộ?`,
        n: motto.n,
      });
    }
    for (const k of keyPoints) {
      if (out.length >= 4) break;
      if (k === motto) continue;
      out.push({
        text: `Theo đồng chí, ý “${answerExcerpt(k.quote, "", 140)}” đặt ra yêu cầu gì đối với cán bộ, đảng viên ở cơ sở?`,
        n: k.n,
      });
    }
    const generic = [
      `Đồng chí đề xuất một việc làm cụ thể, có người chịu trách nhiệm và thời hạn rõ ràng, để đưa nội dung “${topicLabel}” vào cuộc sống ở địa phương, đơn vị mình.`,
      `Những khó khăn nào có thể gặp khi triển khai nội dung “${topicLabel}” ở cơ sở, và cách khắc phục?`,
      `Cần theo dõi, đánh giá kết quả thực hiện nội dung “${topicLabel}” bằng những tiêu chí nào?`,
      `Mỗi cán bộ, đảng viên cần nêu gương như thế nào khi thực hiện nội dung “${topicLabel}”?`,
    ];
    for (const text of generic) {
      if (out.length >= 5) break;
      out.push({ text });
    }
    return out.slice(0, 5);
  }

  return {
    /** The study pack for `topic` (the whole corpus without one). */
    async build(topic = "", options: { seed?: number } = {}): Promise<StudyPack> {
      const keyword = parseKeyword(topic, { dropQuestionWords: true });
      const topicText = keyword.folded.length > 0 ? keyword.text : "";
      const seed = options.seed ?? 1;
      const registry = citationRegistry();
      // The figures of documents in force, as in the targets list (migration 016).
      const allFacts = (await facts.list()).filter((f) => f.document.inForce !== false);

      const sentences = topicText ? await topicKeyPoints(keyword) : await corpusKeyPoints(allFacts);
      const keyPoints = sentences.map((s) => ({
        quote: s.text,
        n: registry.cite(toCitation(0, s.passage, s.text)),
      }));
      const found = keyPoints.length > 0;

      const list = found ? (await targets.list(topicText)).targets.slice(0, MAX_TARGETS) : [];
      const targetRefs = list.map((t) => {
        const { n: _ignored, ...citation } = t.citation;
        return registry.cite(citation);
      });

      let quiz: QuizQuestion[] = [];
      if (found) {
        quiz = (await quizzes.generate({ topic: topicText, count: QUIZ_SIZE, seed })).questions;
        if (topicText && quiz.length < QUIZ_SIZE) {
          // A narrow topic: complete the quiz from the rest of the documents.
          const more = (await quizzes.generate({ count: QUIZ_SIZE * 2, seed })).questions;
          const have = new Set(quiz.map((q) => q.id));
          quiz = [...quiz, ...more.filter((q) => !have.has(q.id))].slice(0, QUIZ_SIZE);
        }
      }
      const quizRefs = quiz.map((q) => {
        const { n: _ignored, ...citation } = q.citation;
        return registry.cite(citation);
      });

      const topicLabel = topicText || WHOLE_CORPUS;
      const inTopic = (text: string) => {
        if (!topicText) return true;
        const set = new Set(syllables(text));
        return keyword.folded.every((f) => set.has(f));
      };
      const discussion = found
        ? discussionQuestions(topicLabel, keyPoints, list, allFacts, registry.cite, inTopic)
        : [];
      // What members asked about the topic lately, for the trainer to take up in the session.
      let asked: QuestionGroup[] = [];
      if (found && stats) {
        const period = toStatsQuery({ days: ASKED_DAYS, limit: 500 });
        if (!("error" in period))
          asked = (await stats.query(period)).top.filter((g) => inTopic(g.question)).slice(0, MAX_ASKED);
      }

      const title = `Bài học: ${topicText ? capitalize(topicText) : `${WHOLE_CORPUS} (toàn bộ tài liệu)`}`;
      const markdown = renderMarkdown({
        title,
        topicText,
        found,
        keyPoints,
        list,
        targetRefs,
        discussion,
        asked,
        quiz,
        quizRefs,
        citations: registry.list,
      });
      return {
        topic: topicText,
        title,
        found,
        filename: studyPackFilename(topicText),
        markdown,
        keyPoints,
        targets: list,
        discussion,
        asked,
        quiz,
        citations: registry.list,
      };
    },
  };
}

export type StudyPacks = ReturnType<typeof createStudyPacks>;

const LETTERS = ["A", "B", "C", "D"];

/** "2026-03-02" → "02/03/2026". */
function viDate(iso: string | undefined): string | undefined {
  const m = iso ? /^(\d{4})-(\d{2})-(\d{2})/.exec(iso) : null;
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

function renderMarkdown(p: {
  title: string;
  topicText: string;
  found: boolean;
  keyPoints: KeyPoint[];
  list: Target[];
  targetRefs: number[];
  discussion: DiscussionQuestion[];
  asked: QuestionGroup[];
  quiz: QuizQuestion[];
  quizRefs: number[];
  citations: Citation[];
}): string {
  const e = escapeMarkdown;
  const lines: string[] = [`# ${e(p.title)}`, ""];
  lines.push(
    "> Tài liệu sinh hoạt chuyên đề, soạn tự động bởi Sổ tay Nghị quyết từ các tài liệu trong kho. " +
      "Mỗi ý đều trích nguyên văn; số trong ngoặc vuông, ví dụ [1], chỉ nguồn ở mục cuối.",
    "",
  );
  if (!p.found) {
    lines.push(
      `Tài liệu hiện có không đề cập đến chủ đề “${e(p.topicText)}”, nên chưa soạn được bài học. ` +
        "Hãy thử một chủ đề khác, ví dụ “tăng trưởng kinh tế”, “đột phá chiến lược” hoặc “nhóm nhiệm vụ”.",
      "",
    );
    return lines.join("\n");
  }

  lines.push("## 1. Những điểm chính", "");
  p.keyPoints.forEach((k, i) => {
    lines.push(`${i + 1}. “${e(k.quote)}” [${k.n}]`);
  });
  lines.push("", "## 2. Các chỉ tiêu", "");
  if (p.list.length === 0) {
    lines.push("Không có chỉ tiêu, con số nào về chủ đề này trong tài liệu.");
  } else {
    lines.push("| Chỉ tiêu | Con số | Giai đoạn | Nguồn |", "|---|---|---|---|");
    p.list.forEach((t, i) => {
      const { figure, comparison } = qualifiedValue(t);
      const value = `${figure}${comparison ? ` (${comparison})` : ""}`;
      lines.push(
        `| ${e(capitalize(t.counts))} | ${e(value)} | ${e(t.period ?? "")} | [${p.targetRefs[i]}] |`,
      );
    });
  }
  lines.push("", "## 3. Câu hỏi thảo luận", "");
  p.discussion.forEach((d, i) => {
    lines.push(`${i + 1}. ${e(d.text)}${d.n ? ` [${d.n}]` : ""}`);
  });
  if (p.asked.length > 0) {
    lines.push("", `### Đảng viên hỏi nhiều (${ASKED_DAYS} ngày qua)`, "");
    p.asked.forEach((g, i) => {
      const gap = g.unanswered > 0 ? `, ${g.unanswered} lần tài liệu chưa trả lời được` : "";
      lines.push(`${i + 1}. ${e(g.question)} (${g.asked} lần${gap})`);
    });
  }
  lines.push("", `## 4. Trắc nghiệm (${p.quiz.length} câu)`, "");
  p.quiz.forEach((q, i) => {
    lines.push(`**Câu ${i + 1}** (${DIFFICULTY_LABEL[q.difficulty]}). ${e(q.question)}`, "");
    q.options.forEach((o, j) => {
      lines.push(`- ${LETTERS[j]}. ${e(o)}`);
    });
    lines.push("");
  });
  lines.push("### Đáp án", "");
  p.quiz.forEach((q, i) => {
    const answer = q.options[q.correct] ?? "";
    lines.push(
      `${i + 1}. **${LETTERS[q.correct]}**. ${e(answer)}: “${e(answerExcerpt(q.citation.quote, answer, 200))}” [${p.quizRefs[i]}]`,
    );
  });
  lines.push("", "## 5. Nguồn", "");
  for (const c of p.citations) {
    const meta = [c.publisher, viDate(c.published)].filter(Boolean).join(", ");
    const url = c.url && /^https?:\/\//i.test(c.url) ? ` <${c.url}>` : "";
    lines.push(
      `**[${c.n}]** ${e(c.document)}${c.section ? ` › ${e(c.section)}` : ""}${where(c)}${meta ? ` (${e(meta)})` : ""}.${url}`,
      "",
      `> “${e(c.quote)}”`,
      "",
    );
  }
  return lines.join("\n");
}

/** ", trang 12 (văn bản quét)" after a source's section, when it has pages or was scanned. */
function where(c: Citation): string {
  const label = pageAndScanLabel(c);
  return label ? `, ${label}` : "";
}
