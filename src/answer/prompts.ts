import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/** The prompt texts of the generative answer path, as written in prompts/*.md (Vietnamese). */
export interface Prompts {
  /** System prompt of the answer call: the grounding, citation, injection and JSON-format rules. */
  answer: string;
  /** System prompt that turns a short follow-up into a standalone question. */
  rewriteFollowup: string;
}

const DEFAULT_PROMPTS_DIR = fileURLToPath(new URL("../../prompts/", import.meta.url));

const FILES = { answer: "answer.md", rewriteFollowup: "rewrite-followup.md" } as const;

const promptText = z.string().trim().min(1, "is empty");
const promptsSchema = z.object({ answer: promptText, rewriteFollowup: promptText });

const cache = new Map<string, Prompts>();

/**
 * Reads the prompt files once per directory (later calls return the same object). Throws when a
 * file is missing or blank, naming the file: a bot without its rules must not start.
 */
export function loadPrompts(dir: string = DEFAULT_PROMPTS_DIR): Prompts {
  const cached = cache.get(dir);
  if (cached) return cached;
  const raw: Record<string, string> = {};
  for (const [key, file] of Object.entries(FILES)) {
    const path = join(dir, file);
    try {
      raw[key] = readFileSync(path, "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new Error(`Cannot read prompt ${path}${typeof code === "string" ? ` (${code})` : ""}`);
    }
  }
  const parsed = promptsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path[0] as keyof typeof FILES | undefined;
    throw new Error(`Invalid prompt ${join(dir, key ? FILES[key] : "?")}: ${issue?.message ?? "invalid"}`);
  }
  const prompts = Object.freeze(parsed.data);
  cache.set(dir, prompts);
  return prompts;
}
