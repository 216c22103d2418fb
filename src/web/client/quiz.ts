import { ApiError, getQuiz, type QuizQuestion, studyPackUrl } from "./api.ts";
import { byId, h } from "./dom.ts";
import { sourceLabel } from "./format.ts";
import type { SourceView } from "./source-view.ts";

const LETTERS = ["A", "B", "C", "D"];
const LEVEL: Record<QuizQuestion["difficulty"], string> = { easy: "dễ", medium: "trung bình", hard: "khó" };

/**
 * The "Ôn tập" panel: a quiz as buttons (a tap reveals the answer, the quoted source and a button
 * to open the passage), a new set on every "Tạo câu hỏi", and the study pack download for the topic.
 */
export function createQuizPanel(sources: SourceView) {
  const container = byId("quiz");
  const form = byId<HTMLFormElement>("quiz-form");
  const input = byId<HTMLInputElement>("quiz-topic");
  const download = byId<HTMLAnchorElement>("study-pack-link");
  let round = 0;
  let started = false;

  input.addEventListener("input", () => {
    download.href = studyPackUrl(input.value);
  });

  function card(q: QuizQuestion, index: number, total: number): HTMLElement {
    const reveal = h("div", { class: "quiz-reveal" });
    reveal.hidden = true;
    const options = h("div", {
      class: "quiz-options",
      role: "group",
      "aria-label": `Các phương án câu ${index + 1}`,
    });
    const buttons = q.options.map((option, i) => {
      const button = h(
        "button",
        { type: "button", class: "quiz-option" },
        h("span", { class: "quiz-letter", "aria-hidden": "true" }, LETTERS[i]),
        " ",
        option,
      );
      button.addEventListener("click", () => answer(i));
      options.append(button);
      return button;
    });

    function answer(chosen: number): void {
      for (const [i, b] of buttons.entries()) {
        b.setAttribute("aria-disabled", "true");
        b.disabled = true;
        if (i === q.correct) b.classList.add("correct");
        else if (i === chosen) b.classList.add("wrong");
      }
      const right = chosen === q.correct;
      const open = h("button", { type: "button", class: "secondary" }, "Xem đoạn gốc");
      open.addEventListener("click", () =>
        sources.open({ chunkId: q.citation.chunkId, quote: q.citation.quote, n: q.citation.n }, open),
      );
      reveal.replaceChildren(
        h(
          "p",
          { class: right ? "quiz-verdict right" : "quiz-verdict wrong" },
          right ? "Đúng! " : "Chưa đúng. ",
          `Đáp án: ${LETTERS[q.correct]}. ${q.options[q.correct]}`,
        ),
        h("p", { class: "quiz-explanation" }, `“${q.citation.quote}”`),
        h("p", { class: "quiz-source" }, sourceLabel(q.citation)),
        open,
      );
      reveal.hidden = false;
    }

    return h(
      "article",
      { class: "quiz-card" },
      h(
        "h3",
        { class: "quiz-question" },
        `Câu ${index + 1}/${total} (${LEVEL[q.difficulty]}): ${q.question}`,
      ),
      options,
      reveal,
    );
  }

  async function load(topic: string): Promise<void> {
    round += 1;
    const mine = round;
    container.setAttribute("aria-busy", "true");
    container.replaceChildren(h("p", { class: "muted", role: "status" }, "Đang soạn câu hỏi…"));
    try {
      const quiz = await getQuiz(topic, mine);
      if (mine !== round) return;
      if (quiz.questions.length === 0) {
        container.replaceChildren(
          h(
            "p",
            { class: "muted" },
            quiz.topic ? `Chưa soạn được câu hỏi nào về “${quiz.topic}”.` : "Chưa soạn được câu hỏi nào.",
          ),
        );
        return;
      }
      container.replaceChildren(...quiz.questions.map((q, i) => card(q, i, quiz.questions.length)));
    } catch (error) {
      if (mine !== round) return;
      container.replaceChildren(
        h(
          "p",
          { class: "error", role: "alert" },
          error instanceof ApiError ? error.message : "Không soạn được câu hỏi.",
        ),
      );
    } finally {
      if (mine === round) container.removeAttribute("aria-busy");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    download.href = studyPackUrl(input.value);
    void load(input.value.trim());
  });

  return {
    show(): void {
      if (started) return;
      started = true;
      void load(input.value.trim());
    },
  };
}
