import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../src/quiz/random.ts";
import { foldDiacritics } from "../src/text/fold-diacritics.ts";

/**
 * Distinct, realistic questions for the load benchmark (`npm run bench:load -- --distinct N`), so
 * that what it measures is answering, not the answer cache. Reproducible: the same corpus and seed
 * give the same questions. Made from the corpus's own sentences, in the ways members ask:
 * - a topic and a question frame ("… là gì?", "… bao nhiêu?" where the sentence has a figure,
 *   "Ai …?" where it names a person), or a bare keyword search;
 * - the same typed without diacritics, or with a greeting, another word order or a word left out;
 * - follow-ups in a conversation ("còn … thì sao?"), sent with the conversation id;
 * - out-of-scope questions (prices, weather, football, other cities' figures).
 */
export interface LoadQuestion {
  question: string;
  /** set for the questions of a conversation: its lead and its follow-ups share it */
  conversationId?: string;
  kind: "topic" | "keyword" | "plain" | "paraphrase" | "follow-up" | "out-of-scope";
}

/** Words that make a poor topic on their own. */
const STOP = new Set(
  "và của các có là được cho với trong những một đã đang sẽ này đó theo để từ tại về như khi thì mà hay hoặc cũng rất nhiều không trên dưới đến ra vào lại nên sau trước đây bằng do vì nhằm".split(
    " ",
  ),
);
const PERSON =
  /\b(Nguyễn|Trần|Lê|Phạm|Hoàng|Vũ|Võ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Phan|Trương)(\s\p{Lu}\p{Ll}*){1,3}/u;
const FIGURE = /\d/;

const FRAMES = [
  (t: string) => `${t} là gì?`,
  (t: string) => `${t} như thế nào?`,
  (t: string) => `Chương trình nói gì về ${t}?`,
  (t: string) => `Cho mình hỏi về ${t}`,
  (t: string) => `${t} gồm những gì?`,
  (t: string) => `Nhiệm vụ ${t} ra sao?`,
];
const NUMBER_FRAMES = [
  (t: string) => `${t} là bao nhiêu?`,
  (t: string) => `Bao nhiêu ${t}?`,
  (t: string) => `${t} đạt mức nào?`,
];
const FOLLOW_UPS = [
  (t: string) => `còn ${t} thì sao?`,
  (t: string) => `thế còn ${t}?`,
  (t: string) => `${t} thì thế nào?`,
];
const GREETINGS = ["Cho mình hỏi", "Bạn ơi", "Xin hỏi", "Nhờ bot cho biết", "Ad ơi"];
const OUT_OF_SCOPE_TOPICS = [
  "giá vàng",
  "giá xăng RON 95",
  "tỷ giá đô la",
  "thời tiết Hà Nội ngày mai",
  "kết quả trận Việt Nam gặp Thái Lan",
  "lịch thi đấu V-League",
  "giá iPhone mới",
  "cách nấu phở bò",
  "lương cơ bản năm 2027",
  "học phí đại học",
  "GDP của Đà Nẵng",
  "dân số TP Hồ Chí Minh",
  "giá vé máy bay Tết",
  "lãi suất ngân hàng",
  "giá chung cư Hà Đông",
  "điểm chuẩn đại học",
];
const OUT_OF_SCOPE_FRAMES = [
  (t: string) => `${t} hôm nay bao nhiêu?`,
  (t: string) => `${t} thế nào?`,
  (t: string) => `Cho hỏi ${t}`,
  (t: string) => `${t} là bao nhiêu vậy?`,
];

/** The sentences of the corpus's Markdown and text files (front matter, headings and captions left out). */
export function corpusSentences(corpusDir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(corpusDir, { recursive: true }) as string[]) {
    if (!/\.(md|txt)$/i.test(name)) continue;
    const text = readFileSync(join(corpusDir, name), "utf8")
      .normalize("NFC")
      .replace(/^---\n[\s\S]*?\n---\n/, "");
    for (const line of text.split("\n")) {
      if (!line.trim() || /^(#|!\[|>|\|)/.test(line.trim())) continue;
      for (const s of line.split(/(?<=[.!?;])\s+(?=\p{Lu})/u))
        if (s.split(/\s+/).length >= 8) out.push(s.trim());
    }
  }
  return out;
}

/**
 * A topic a member might ask about: a run of two to four content words of the sentence, between
 * punctuation and small words ("tinh thần tiên phong", "Đảng bộ TP Hà Nội"), lower-cased.
 */
function topicOf(sentence: string, rnd: () => number): string | undefined {
  const phrases: string[][] = [];
  let run: string[] = [];
  for (const token of sentence.split(/\s+/)) {
    const word = token.replace(/^[“”"(…]+|[“”"),.:;!?…]+$/g, "");
    const breaks = /[,.:;!?)]$/.test(token);
    if (!word || STOP.has(word.toLowerCase())) {
      if (run.length) phrases.push(run);
      run = [];
      continue;
    }
    run.push(word);
    if (breaks) {
      phrases.push(run);
      run = [];
    }
  }
  if (run.length) phrases.push(run);
  const usable = phrases.filter((p) => p.length >= 2);
  if (usable.length === 0) return undefined;
  const phrase = pick(usable, rnd);
  const size = Math.min(phrase.length, 2 + Math.floor(rnd() * 3));
  const from = phrase.length > size && rnd() < 0.3 ? phrase.length - size : 0;
  return phrase
    .slice(from, from + size)
    .join(" ")
    .toLowerCase();
}

const pick = <T>(xs: readonly T[], rnd: () => number): T => xs[Math.floor(rnd() * xs.length)] as T;
const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase("vi") + s.slice(1);

/**
 * `count` distinct questions from the sentences (no two alike once folded to lower case without
 * diacritics and spaces squeezed), in a reproducible order. About 60 % about a topic of the
 * corpus, 15 % follow-ups, 10 % bare keywords, 15 % out of scope; a third typed without
 * diacritics.
 */
export function distinctQuestions(sentences: readonly string[], count: number, seed = 1): LoadQuestion[] {
  if (sentences.length === 0) throw new Error("distinctQuestions: the corpus has no sentences");
  const rnd = seededRandom(seed);
  const seen = new Set<string>();
  const out: LoadQuestion[] = [];
  const add = (q: LoadQuestion): boolean => {
    const key = foldDiacritics(q.question.toLowerCase()).replace(/\s+/g, " ").trim();
    if (seen.has(key) || key.length < 4) return false;
    seen.add(key);
    out.push(q);
    return true;
  };
  const variant = (text: string): { text: string; kind: LoadQuestion["kind"] } => {
    const r = rnd();
    if (r < 0.33) return { text: foldDiacritics(text), kind: "plain" };
    if (r < 0.45)
      return {
        text: `${pick(GREETINGS, rnd)} ${text.charAt(0).toLowerCase()}${text.slice(1)}`,
        kind: "paraphrase",
      };
    if (r < 0.52) {
      const words = text.split(" ");
      if (words.length > 3) words.splice(1 + Math.floor(rnd() * (words.length - 2)), 1);
      return { text: words.join(" "), kind: "paraphrase" };
    }
    return { text, kind: "topic" };
  };
  let conversations = 0;
  let stuck = 0;
  while (out.length < count && stuck < 2000) {
    const before = out.length;
    const r = rnd();
    if (r < 0.15) {
      const topic = pick(OUT_OF_SCOPE_TOPICS, rnd);
      add({
        question: variant(capitalize(pick(OUT_OF_SCOPE_FRAMES, rnd)(topic))).text,
        kind: "out-of-scope",
      });
    } else if (r < 0.25) {
      const topic = topicOf(pick(sentences, rnd), rnd);
      if (topic) add({ question: rnd() < 0.5 ? foldDiacritics(topic) : topic, kind: "keyword" });
    } else if (r < 0.4 && out.length + 2 <= count) {
      // a conversation: a question, then a follow-up about a neighbouring topic
      const sentence = pick(sentences, rnd);
      const [a, b] = [topicOf(sentence, rnd), topicOf(sentence, rnd)];
      if (a && b && a !== b) {
        const conversationId = `load-${seed}-${conversations++}`;
        if (add({ question: capitalize(pick(FRAMES, rnd)(a)), conversationId, kind: "topic" }))
          add({ question: pick(FOLLOW_UPS, rnd)(b), conversationId, kind: "follow-up" });
      }
    } else {
      const sentence = pick(sentences, rnd);
      const topic = topicOf(sentence, rnd);
      if (topic) {
        const frame =
          PERSON.test(sentence) && rnd() < 0.3
            ? (t: string) => `Ai phụ trách ${t}?`
            : FIGURE.test(sentence) && rnd() < 0.5
              ? pick(NUMBER_FRAMES, rnd)
              : pick(FRAMES, rnd);
        const { text, kind } = variant(capitalize(frame(topic)));
        add({ question: text, kind });
      }
    }
    stuck = out.length === before ? stuck + 1 : 0;
  }
  if (out.length < count)
    throw new Error(
      `distinctQuestions: only ${out.length} distinct questions from this corpus (asked for ${count})`,
    );
  return out;
}
