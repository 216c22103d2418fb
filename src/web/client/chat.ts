import { type Answer, ApiError, ask, type Citation } from "./api.ts";
import { copyText } from "./copy.ts";
import { byId, h, prefersReducedMotion } from "./dom.ts";
import { answerAsText, newConversationId, sourceLabel, splitMarkers } from "./format.ts";
import type { SourceView } from "./source-view.ts";

export const EXAMPLE_QUESTIONS = [
  "Hà Nội đặt mục tiêu tăng trưởng kinh tế bao nhiêu?",
  "Ba đột phá chiến lược là gì?",
  "Chương trình hành động có bao nhiêu chỉ tiêu chủ yếu?",
  "Chương trình xác định bao nhiêu nhóm nhiệm vụ chủ yếu?",
];

/**
 * The conversation: the question box, the example questions, the messages, follow-ups kept
 * under one conversation id per page session until "Cuộc hội thoại mới".
 */
export function createChat(sources: SourceView) {
  const form = byId<HTMLFormElement>("ask-form");
  const input = byId<HTMLTextAreaElement>("question");
  const sendButton = byId<HTMLButtonElement>("ask-button");
  const log = byId("conversation");
  const welcome = byId("welcome");
  const examples = byId("examples");
  const newChatButton = byId<HTMLButtonElement>("new-chat");
  const status = byId("status");

  let conversationId = newConversationId();
  let pending: AbortController | undefined;

  for (const question of EXAMPLE_QUESTIONS) {
    const button = h("button", { type: "button", class: "chip" }, question);
    button.addEventListener("click", () => void send(question));
    examples.append(h("li", null, button));
  }

  input.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter is a new line; never while an input method (Telex, VNI) is composing.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    // requestSubmit is missing before Safari 16 (older iPhones stay on iOS 15)
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else sendButton.click();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) {
      announce("Bạn hãy nhập câu hỏi.");
      input.focus();
      return;
    }
    void send(question, { fromInput: true });
  });
  newChatButton.addEventListener("click", reset);

  function announce(message: string): void {
    status.textContent = "";
    // a fresh text node in a later task, so that the same message is announced again
    window.setTimeout(() => {
      status.textContent = message;
    }, 50);
  }

  function setBusy(busy: boolean): void {
    sendButton.setAttribute("aria-disabled", String(busy));
    sendButton.classList.toggle("busy", busy);
    log.setAttribute("aria-busy", String(busy));
  }

  function scrollTo(el: HTMLElement): void {
    el.scrollIntoView({ block: "start", behavior: prefersReducedMotion() ? "auto" : "smooth" });
  }

  async function send(question: string, { fromInput = false } = {}): Promise<void> {
    if (pending) {
      announce("Bạn chờ một chút, câu hỏi trước đang được trả lời.");
      return;
    }
    const controller = new AbortController();
    pending = controller;
    welcome.hidden = true;
    newChatButton.hidden = false;
    if (fromInput) {
      input.value = "";
      // on a phone, close the keyboard so the answer is visible
      if (window.matchMedia("(pointer: coarse)").matches) input.blur();
    }
    const questionEl = renderQuestion(question);
    const waiting = h(
      "div",
      { class: "msg pending" },
      h("span", { class: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span")),
      " Đang tìm trong tài liệu…",
    );
    log.append(questionEl, waiting);
    setBusy(true);
    scrollTo(questionEl);

    let reply: HTMLElement;
    try {
      reply = renderAnswer(await ask(question, conversationId, controller.signal));
    } catch (error) {
      if (controller.signal.aborted) return;
      reply = renderError(
        error instanceof ApiError ? error.message : "Đã có lỗi không mong muốn. Bạn vui lòng thử lại.",
        question,
        questionEl,
      );
    } finally {
      if (pending === controller) {
        pending = undefined;
        setBusy(false);
      }
      waiting.remove();
    }
    log.append(reply);
    scrollTo(reply.offsetHeight < window.innerHeight * 0.6 ? questionEl : reply);
  }

  function reset(): void {
    pending?.abort();
    pending = undefined;
    setBusy(false);
    conversationId = newConversationId();
    log.replaceChildren();
    welcome.hidden = false;
    newChatButton.hidden = true;
    input.value = "";
    input.focus();
    announce("Đã bắt đầu cuộc hội thoại mới.");
  }

  function renderQuestion(question: string): HTMLElement {
    return h(
      "div",
      { class: "msg question" },
      h("span", { class: "visually-hidden" }, "Bạn hỏi: "),
      h("p", { class: "question-text" }, question),
    );
  }

  function citeButton(c: Citation, className: string, ...content: (string | Node)[]): HTMLButtonElement {
    const button = h("button", { type: "button", class: className }, ...content);
    button.addEventListener("click", () =>
      sources.open({ chunkId: c.chunkId, quote: c.quote, n: c.n }, button),
    );
    return button;
  }

  function renderAnswer(answer: Answer): HTMLElement {
    const byN = new Map(answer.citations.map((c) => [c.n, c]));
    const text = h("div", { class: "answer-text" });
    for (const segment of splitMarkers(answer.answer, new Set(byN.keys()))) {
      if ("text" in segment) {
        text.append(segment.text);
        continue;
      }
      const c = byN.get(segment.n) as Citation;
      const button = citeButton(c, "cite", `[${c.n}]`);
      button.setAttribute("aria-label", `Xem nguồn [${c.n}]`);
      button.title = sourceLabel(c);
      text.append(button);
    }

    const article = h(
      "article",
      { class: answer.found ? "msg answer" : "msg answer not-found" },
      h("h2", { class: "visually-hidden" }, "Trả lời"),
      answer.resolvedQuestion && answer.resolvedQuestion !== answer.question
        ? h("p", { class: "resolved" }, `Câu hỏi được hiểu là: “${answer.resolvedQuestion}”`)
        : null,
      text,
    );

    if (answer.citations.length > 0) {
      const list = h("ol", { class: "source-list" });
      for (const c of answer.citations) {
        list.append(
          h(
            "li",
            null,
            citeButton(
              c,
              "source-item",
              h("span", { class: "source-n" }, `[${c.n}]`),
              " ",
              h(
                "span",
                { class: "source-text" },
                h("span", { class: "source-label" }, sourceLabel(c)),
                // a preview only: the full quote is in the source view
                h("span", { class: "source-quote", "aria-hidden": "true" }, `“${c.quote}”`),
              ),
            ),
          ),
        );
      }
      article.append(h("section", { class: "sources" }, h("h3", { class: "sources-title" }, "Nguồn"), list));
    }

    if (!answer.found && answer.related && answer.related.length > 0) {
      const chips = h("ul", { class: "chips" });
      for (const topic of answer.related) {
        const button = h("button", { type: "button", class: "chip" }, topic);
        button.addEventListener("click", () => void send(topic));
        chips.append(h("li", null, button));
      }
      article.append(h("h3", { class: "related-title" }, "Gợi ý chủ đề có trong tài liệu"), chips);
    }

    if (answer.found) {
      const copy = h("button", { type: "button", class: "secondary copy" }, "Sao chép");
      let timer: number | undefined;
      copy.addEventListener("click", async () => {
        const ok = await copyText(answerAsText(answer));
        copy.textContent = ok ? "Đã sao chép" : "Không sao chép được";
        copy.classList.toggle("done", ok);
        announce(
          ok
            ? "Đã sao chép câu trả lời và nguồn."
            : "Không sao chép được, bạn hãy chọn và sao chép thủ công.",
        );
        window.clearTimeout(timer);
        timer = window.setTimeout(() => {
          copy.textContent = "Sao chép";
          copy.classList.remove("done");
        }, 2500);
      });
      article.append(h("div", { class: "answer-actions" }, copy));
    }
    return article;
  }

  function renderError(message: string, question: string, questionEl: HTMLElement): HTMLElement {
    const retry = h("button", { type: "button", class: "secondary" }, "Thử lại");
    const el = h("div", { class: "msg error" }, h("p", null, message), retry);
    retry.addEventListener("click", () => {
      if (pending) return;
      el.remove();
      questionEl.remove();
      void send(question);
    });
    return el;
  }

  return {
    focus(): void {
      input.focus();
    },
  };
}
