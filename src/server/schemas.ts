import { z } from "zod";

/** POST /api/ask */
export const askBodySchema = z.object({
  question: z.string({ error: "question must be a string" }).max(20_000, "question is too long"),
  conversationId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w:.-]+$/, "conversationId may hold letters, digits, '_', ':', '.', '-' only")
    .optional(),
});
export type AskBody = z.infer<typeof askBodySchema>;

/** GET /api/passages/:chunkId */
export const chunkIdSchema = z.string().regex(/^[0-9a-f]{8,64}$/, "not a passage id");
