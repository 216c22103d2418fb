import { z } from "zod";

/**
 * The answer contract every channel uses (CLI `--json`, web API, Telegram, Zalo). A channel only
 * formats this; it never decides what the answer is. The zod schemas are the contract and the types
 * are inferred from them, so the two cannot drift apart. `parseAnswer` checks an answer where one
 * crosses a process boundary (a stored answer read back, the CLI's JSON, the tests of the HTTP API).
 */

export const citationSchema = z.object({
  /** the marker number used in the answer text: "[n]" */
  n: z.number().int().positive(),
  document: z.string(),
  /** the section heading path joined with " › ", or "" for text before the first heading */
  section: z.string(),
  url: z.string().optional(),
  publisher: z.string().optional(),
  /** ISO date YYYY-MM-DD when known */
  published: z.string().optional(),
  /** the first and last page of the quoted passage, for a PDF or a scan */
  pages: z.object({ first: z.number().int().positive(), last: z.number().int().positive() }).optional(),
  /** the document was read by OCR from page images: its text may differ from the original */
  scanned: z.boolean().optional(),
  /**
   * Present only when the quoted document is not in force today: superseded by another (front
   * matter `supersedes`), or taking effect later (`effective`).
   */
  notInForce: z
    .object({
      effective: z.string().optional(),
      supersededBy: z.object({ document: z.string(), effective: z.string().optional() }).optional(),
    })
    .optional(),
  /** an exact substring of the passage's stored text */
  quote: z.string().min(1),
  chunkId: z.string().min(1),
});
export type Citation = z.infer<typeof citationSchema>;

export const answerModeSchema = z.enum(["extractive", "generative"]);
export type AnswerMode = z.infer<typeof answerModeSchema>;

export const answerSchema = z
  .object({
    id: z.string().optional(),
    question: z.string(),
    /** Vietnamese answer text; every claim carries a marker [n] that matches a citation */
    answer: z.string(),
    found: z.boolean(),
    /**
     * How likely the documents answer the question, 0..1 (the answerability model,
     * src/answer/models/answerability.json); the answer is refused below the model's operating point.
     */
    confidence: z.number().min(0).max(1).optional(),
    mode: answerModeSchema,
    /**
     * The figure, date, name or place asked for, as the first quote states it (an exact substring
     * of it); the answer text opens with it in bold.
     */
    shortAnswer: z.string().optional(),
    /**
     * For a yes/no check ("… phải không?"): whether the first quote states what the question says
     * ("true"), or states another figure for the same thing ("false"); the answer text opens with it.
     */
    verdict: z.enum(["true", "false"]).optional(),
    /** empty when found is false */
    citations: z.array(citationSchema),
    /** when found is false: up to three nearby topics the documents do cover */
    related: z.array(z.string()).optional(),
    /** the question actually searched, when a follow-up was resolved against the conversation */
    resolvedQuestion: z.string().optional(),
    /** time to answer, in milliseconds */
    ms: z.number().nonnegative(),
  })
  .superRefine((a, ctx) => {
    if (!a.found && a.citations.length > 0)
      ctx.addIssue({ code: "custom", path: ["citations"], message: "must be empty when found is false" });
    const numbers = a.citations.map((c) => c.n);
    if (new Set(numbers).size !== numbers.length)
      ctx.addIssue({
        code: "custom",
        path: ["citations"],
        message: `marker numbers must be distinct (${numbers.join(", ")})`,
      });
  });
export type Answer = z.infer<typeof answerSchema>;

export const answerRequestSchema = z.object({
  question: z.string(),
  conversationId: z.string().optional(),
  id: z.string().optional(),
});
export type AnswerRequest = z.infer<typeof answerRequestSchema>;

/**
 * `value` as an answer of the contract, or an error that says which field is wrong and why, e.g.
 * "stored answer abc is not an answer of the contract: citations.0.quote: expected string, received
 * undefined". `source` names where the value came from. Unknown fields are dropped.
 */
export function parseAnswer(value: unknown, source = "value"): Answer {
  const parsed = answerSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
    .join("; ");
  throw new Error(`${source} is not an answer of the contract: ${issues}`);
}
