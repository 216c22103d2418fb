import type { Env, Hono } from "hono";
import { z } from "zod";
import type { Targets } from "../facts/targets.ts";
import { MAX_QUIZ_COUNT, type Quizzes } from "../quiz/quiz-service.ts";
import type { StudyPacks } from "../study-pack/study-pack.ts";
import { invalidRequestMessage } from "./invalid-request.ts";

/** The core services behind the "Chỉ tiêu" and "Ôn tập" views of the page (and any HTTP client). */
export interface StudyRoutesDeps {
  targets: Pick<Targets, "list">;
  quizzes: Pick<Quizzes, "generate">;
  studyPacks: Pick<StudyPacks, "build">;
}

const text = z.string().max(500, "is too long").default("");

/** GET /api/targets?q=… */
export const targetsQuerySchema = z.object({ q: text });
/** GET /api/quiz?topic=…&count=…&seed=… */
export const quizQuerySchema = z.object({
  topic: text,
  count: z.coerce.number().int().min(1).max(MAX_QUIZ_COUNT).default(10),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
});
/** GET /api/studypack?topic=… */
export const studyPackQuerySchema = z.object({ topic: text });

/**
 * Targets, quizzes and study packs over HTTP. JSON like the rest of the API; the study pack is a
 * Markdown download (Content-Disposition: attachment with the Vietnamese file name encoded).
 */
export function mountStudyRoutes<E extends Env>(app: Hono<E>, deps: StudyRoutesDeps): void {
  app.get("/api/targets", async (c) => {
    const query = targetsQuerySchema.safeParse(c.req.query());
    if (!query.success) return c.json({ error: invalidRequestMessage(query.error) }, 400);
    return c.json(await deps.targets.list(query.data.q));
  });

  app.get("/api/quiz", async (c) => {
    const query = quizQuerySchema.safeParse(c.req.query());
    if (!query.success) return c.json({ error: invalidRequestMessage(query.error) }, 400);
    return c.json(await deps.quizzes.generate(query.data));
  });

  app.get("/api/studypack", async (c) => {
    const query = studyPackQuerySchema.safeParse(c.req.query());
    if (!query.success) return c.json({ error: invalidRequestMessage(query.error) }, 400);
    const pack = await deps.studyPacks.build(query.data.topic);
    return c.body(pack.markdown, 200, {
      "content-type": "text/markdown; charset=utf-8",
      // The name is ASCII already (folded slug); filename* is there for clients that prefer it.
      "content-disposition": `attachment; filename="${pack.filename}"; filename*=UTF-8''${encodeURIComponent(pack.filename)}`,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
  });
}
