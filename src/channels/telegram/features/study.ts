import { Composer, type Context, InputFile } from "grammy";
import { formatQuizSourcesHtml, formatTargetsHtml, quizPoll, studyPackCaption } from "../format-study.ts";
import { keepTyping, replyHtml } from "../reply.ts";
import { TEXT } from "../texts.ts";
import type { TelegramBotDeps } from "../types.ts";

/** Polls one /quiz sends: enough to practise, few enough not to flood a group. */
const QUIZ_POLLS = 5;

/** /chitieu (targets), /quiz (native quiz polls), /baihoc (the study pack as a Markdown document). */
export function studyFeature({ study, logger }: TelegramBotDeps): Composer<Context> {
  const composer = new Composer<Context>();
  if (!study) return composer;

  composer.command("chitieu", async (ctx) => {
    const list = await study.targets.list(ctx.match);
    await replyHtml(ctx, formatTargetsHtml(list), {}, logger);
  });

  composer.command("quiz", async (ctx) => {
    const stopTyping = keepTyping(ctx, logger);
    let quiz: Awaited<ReturnType<typeof study.quizzes.generate>>;
    try {
      // Another /quiz, another set: the seed comes from the message (and stays reproducible from it).
      quiz = await study.quizzes.generate({ topic: ctx.match, count: QUIZ_POLLS, seed: ctx.msg.message_id });
    } finally {
      stopTyping();
    }
    if (quiz.questions.length === 0) {
      await ctx.reply(TEXT.quizNone(quiz.topic));
      return;
    }
    for (const q of quiz.questions) {
      const poll = quizPoll(q);
      await ctx.replyWithPoll(poll.question, poll.options, {
        type: "quiz",
        correct_option_ids: poll.correct_option_ids,
        explanation: poll.explanation,
        // The Bot API field older servers read (see quizPoll).
        ...({ correct_option_id: poll.correct_option_id } as object),
      });
    }
    await replyHtml(ctx, formatQuizSourcesHtml(quiz.questions), {}, logger);
    logger.info(
      { updateId: ctx.update.update_id, topic: quiz.topic, questions: quiz.questions.length },
      "telegram quiz sent",
    );
  });

  composer.command("baihoc", async (ctx) => {
    const stopTyping = keepTyping(ctx, logger);
    let pack: Awaited<ReturnType<typeof study.studyPacks.build>>;
    try {
      pack = await study.studyPacks.build(ctx.match);
    } finally {
      stopTyping();
    }
    if (!pack.found) {
      await ctx.reply(TEXT.studyPackNone(pack.topic));
      return;
    }
    await ctx.replyWithDocument(new InputFile(Buffer.from(pack.markdown, "utf8"), pack.filename), {
      caption: studyPackCaption(pack),
    });
  });

  return composer;
}
