import type { Answer } from "../contract/answer.ts";
import { displayQuestion, questionKey } from "../text/question-key.ts";
import type { Database } from "./database.ts";

/** Days are counted in Vietnam's time (UTC+7, no daylight saving). */
const UTC_OFFSET_MS = 7 * 3_600_000;

/** The calendar day in Vietnam of an instant, YYYY-MM-DD. */
export function vietnamDay(at: Date): string {
  return new Date(at.getTime() + UTC_OFFSET_MS).toISOString().slice(0, 10);
}

export interface StatsQuery {
  /** first day, YYYY-MM-DD (Vietnam time), inclusive */
  from: string;
  /** last day, YYYY-MM-DD, inclusive */
  to: string;
  /** one channel ("telegram", "zalo", "web"); absent: all */
  channel?: string;
  /** how many rows each list holds (default 20) */
  limit?: number;
}

/** One question as members asked it, its wordings counted together. */
export interface QuestionGroup {
  /** the wording asked most often */
  question: string;
  /** the other wordings, most asked first */
  variants: string[];
  asked: number;
  /** how many times the documents could not answer it */
  unanswered: number;
}

export interface DownVoted {
  question: string;
  /** the answer's text as shown */
  answer: string;
  /** the members who marked it 👎 */
  votes: number;
  channel: string;
  day: string;
}

export interface Stats {
  from: string;
  to: string;
  channel: string | null;
  totals: { asked: number; unanswered: number; downVotes: number };
  /** the most asked questions */
  top: QuestionGroup[];
  /** the questions the documents could not answer: the corpus's gaps */
  unanswered: QuestionGroup[];
  downVoted: DownVoted[];
  /** which documents and sections answers cited, most first */
  sections: { document: string; section: string; cited: number }[];
  /** every day of the period, with none left out */
  perDay: { day: string; asked: number; unanswered: number }[];
}

interface AnswerRow {
  id: string;
  channel: string;
  question: string;
  /** what the roll-up reads of the answer */
  answer: Pick<Answer, "found"> & { citations?: Pick<Answer["citations"][number], "document" | "section">[] };
  created_at: Date | string;
}

/** Each day from `from` to `to`, inclusive. */
function daysOf(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** How many letters carry Vietnamese marks: of two wordings asked as often, the marked one is shown. */
const marks = (text: string) => text.match(/[\u0080-\uffff]/g)?.length ?? 0;

/** Wordings (with their counts) grouped by key, most asked first. */
function groups(
  rows: { question_key: string; question: string; asked: number; unanswered: number }[],
  by: "asked" | "unanswered",
  limit: number,
): QuestionGroup[] {
  const byKey = new Map<
    string,
    { wordings: { question: string; n: number }[]; asked: number; unanswered: number }
  >();
  for (const r of rows) {
    const g = byKey.get(r.question_key) ?? { wordings: [], asked: 0, unanswered: 0 };
    g.asked += Number(r.asked);
    g.unanswered += Number(r.unanswered);
    g.wordings.push({ question: r.question, n: Number(by === "asked" ? r.asked : r.unanswered) });
    byKey.set(r.question_key, g);
  }
  return [...byKey.values()]
    .filter((g) => g[by] > 0)
    .sort((a, b) => b[by] - a[by] || b.asked - a.asked)
    .slice(0, limit)
    .map((g) => {
      const [first, ...rest] = g.wordings
        .filter((w) => w.n > 0)
        .sort(
          (a, b) =>
            b.n - a.n || marks(b.question) - marks(a.question) || a.question.localeCompare(b.question),
        );
      return {
        question: first?.question ?? "",
        variants: rest.map((w) => w.question),
        asked: g.asked,
        unanswered: g.unanswered,
      };
    });
}

/**
 * What members asked, for the trainers' view (migration 013). Counts come from daily tables that
 * `rollUp` fills from the recorded answers and that hold no user id; `prune` deletes what is
 * older than the retention period, in small batches so the service never waits on it.
 */
export function createStatsStore(db: Database) {
  /** Folds up to `batch` recorded answers not yet counted into the daily tables; returns how many. */
  async function rollUp(batch = 500): Promise<number> {
    return db.transaction(async (tx) => {
      const rows = await tx.query<AnswerRow>(
        // Only what is counted of each answer (whether it was found, the documents and sections it
        // cited), not its text and quotes: less to send and to parse while members wait.
        `SELECT id, channel, question, created_at,
                jsonb_build_object(
                  'found', answer->'found',
                  'citations', COALESCE((
                    SELECT jsonb_agg(jsonb_build_object('document', c->'document', 'section', c->'section'))
                      FROM jsonb_array_elements(answer->'citations') c), '[]'::jsonb)) AS answer
           FROM answers
          WHERE NOT counted ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batch],
      );
      if (rows.length === 0) return 0;
      const questions = new Map<
        string,
        { day: string; channel: string; key: string; question: string; asked: number; unanswered: number }
      >();
      const sections = new Map<
        string,
        { day: string; channel: string; document: string; section: string; cited: number }
      >();
      for (const r of rows) {
        const day = vietnamDay(new Date(r.created_at));
        const question = displayQuestion(r.question);
        const key = questionKey(question);
        if (!key) continue;
        const questionId = JSON.stringify([day, r.channel, key, question]);
        let q = questions.get(questionId);
        if (!q) {
          q = { day, channel: r.channel, key, question, asked: 0, unanswered: 0 };
          questions.set(questionId, q);
        }
        q.asked++;
        if (!r.answer.found) q.unanswered++;
        // A section counts once per answer, however many of its sentences were quoted.
        const counted = new Set<string>();
        for (const c of r.answer.citations ?? []) {
          const section = c.section ?? "";
          const id = JSON.stringify([day, r.channel, c.document, section]);
          if (counted.has(id)) continue;
          counted.add(id);
          const s = sections.get(id) ?? { day, channel: r.channel, document: c.document, section, cited: 0 };
          s.cited++;
          sections.set(id, s);
        }
      }
      const qs = [...questions.values()];
      if (qs.length > 0)
        await tx.query(
          `INSERT INTO question_daily (day, channel, question_key, question, asked, unanswered)
           SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
           ON CONFLICT (day, channel, question_key, question) DO UPDATE
             SET asked = question_daily.asked + EXCLUDED.asked,
                 unanswered = question_daily.unanswered + EXCLUDED.unanswered`,
          [
            qs.map((q) => q.day),
            qs.map((q) => q.channel),
            qs.map((q) => q.key),
            qs.map((q) => q.question),
            qs.map((q) => q.asked),
            qs.map((q) => q.unanswered),
          ],
        );
      const ss = [...sections.values()];
      if (ss.length > 0)
        await tx.query(
          `INSERT INTO section_daily (day, channel, document, section, cited)
           SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::int[])
           ON CONFLICT (day, channel, document, section) DO UPDATE
             SET cited = section_daily.cited + EXCLUDED.cited`,
          [
            ss.map((s) => s.day),
            ss.map((s) => s.channel),
            ss.map((s) => s.document),
            ss.map((s) => s.section),
            ss.map((s) => s.cited),
          ],
        );
      await tx.query("UPDATE answers SET counted = true WHERE id = ANY($1::text[])", [rows.map((r) => r.id)]);
      return rows.length;
    });
  }

  /** Rolls up everything recorded so far. */
  async function rollUpAll(): Promise<void> {
    while ((await rollUp()) > 0) {
      // batch after batch, each in its own short transaction
    }
  }

  async function query(q: StatsQuery): Promise<Stats> {
    await rollUpAll();
    const limit = q.limit ?? 20;
    const channel = q.channel ?? null;
    // $3: one channel, or NULL for all
    const params = [q.from, q.to, channel];
    const inPeriod = "day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR channel = $3)";
    const wordings = await db.query<{
      question_key: string;
      question: string;
      asked: number;
      unanswered: number;
    }>(
      `SELECT question_key, question, sum(asked)::int AS asked, sum(unanswered)::int AS unanswered
       FROM question_daily WHERE ${inPeriod} GROUP BY question_key, question`,
      params,
    );
    const perDayRows = await db.query<{ day: string | Date; asked: number; unanswered: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(asked)::int AS asked, sum(unanswered)::int AS unanswered
       FROM question_daily WHERE ${inPeriod} GROUP BY day`,
      params,
    );
    const sections = await db.query<{ document: string; section: string; cited: number }>(
      `SELECT document, section, sum(cited)::int AS cited FROM section_daily WHERE ${inPeriod}
       GROUP BY document, section ORDER BY cited DESC, document, section LIMIT $4`,
      [...params, limit],
    );
    // 👎 answers are read from the answers themselves (kept for the retention period).
    const downVoted = await db.query<{
      question: string;
      answer: Answer;
      votes: number;
      channel: string;
      created_at: Date | string;
    }>(
      `SELECT a.question, a.answer, a.channel, a.created_at, count(*)::int AS votes
       FROM answers a JOIN answer_feedback f ON f.answer_id = a.id AND f.vote = -1
       WHERE a.created_at >= ($1::date::timestamp AT TIME ZONE 'UTC') - interval '7 hours'
         AND a.created_at < ($2::date::timestamp AT TIME ZONE 'UTC') + interval '17 hours'
         AND ($3::text IS NULL OR a.channel = $3)
       GROUP BY a.id ORDER BY votes DESC, a.created_at DESC LIMIT $4`,
      [...params, limit],
    );
    const counts = new Map(perDayRows.map((r) => [String(r.day).slice(0, 10), r]));
    const perDay = daysOf(q.from, q.to).map((day) => ({
      day,
      asked: Number(counts.get(day)?.asked ?? 0),
      unanswered: Number(counts.get(day)?.unanswered ?? 0),
    }));
    return {
      from: q.from,
      to: q.to,
      channel,
      totals: {
        asked: perDay.reduce((n, d) => n + d.asked, 0),
        unanswered: perDay.reduce((n, d) => n + d.unanswered, 0),
        downVotes: downVoted.reduce((n, d) => n + Number(d.votes), 0),
      },
      top: groups(wordings, "asked", limit),
      unanswered: groups(wordings, "unanswered", limit),
      downVoted: downVoted.map((d) => ({
        question: displayQuestion(d.question),
        answer: d.answer.answer,
        votes: Number(d.votes),
        channel: d.channel,
        day: vietnamDay(new Date(d.created_at)),
      })),
      sections: sections.map((s) => ({ document: s.document, section: s.section, cited: Number(s.cited) })),
      perDay,
    };
  }

  /**
   * Deletes answers (with their feedback) and conversations older than `days`, `batch` rows per
   * statement, counting every answer into the daily tables first. Returns how many went.
   */
  async function prune(days: number, batch = 1000): Promise<{ answers: number; conversations: number }> {
    await rollUpAll();
    const cutoff = new Date(Date.now() - days * 86_400_000);
    const deleteIn = async (sql: string) => {
      let total = 0;
      for (;;) {
        const rows = await db.query<{ n: number }>(sql, [cutoff, batch]);
        const n = Number(rows[0]?.n ?? 0);
        total += n;
        if (n < batch) return total;
        // let other statements take their turn between batches
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const answers = await deleteIn(
      `WITH gone AS (DELETE FROM answers WHERE id IN (
         SELECT id FROM answers WHERE created_at < $1 AND counted LIMIT $2) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
    );
    const conversations = await deleteIn(
      `WITH gone AS (DELETE FROM conversations WHERE id IN (
         SELECT id FROM conversations WHERE updated_at < $1 LIMIT $2) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
    );
    return { answers, conversations };
  }

  return { rollUp, rollUpAll, query, prune };
}

export type StatsStore = ReturnType<typeof createStatsStore>;
