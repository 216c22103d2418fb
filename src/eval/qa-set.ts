import { readFileSync } from "node:fs";
import { z } from "zod";
import { errorMessage } from "../error-message.ts";

/** The project's own evaluation questions (test/eval/qa.jsonl), one JSON object a line. */
const itemSchema = z.object({
  id: z.string(),
  q: z.string(),
  facts: z.array(z.string()),
  gold: z.string(),
  conversation: z.string().optional(),
  outOfScope: z.boolean().default(false),
  tags: z.array(z.string()).default([]),
});
export type EvalItem = z.infer<typeof itemSchema>;

export function readEvalSet(path: string): EvalItem[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((line, i) => {
      try {
        return itemSchema.parse(JSON.parse(line));
      } catch (error) {
        throw new Error(`${path}:${i + 1}: ${errorMessage(error)}`);
      }
    });
}
