import { parse } from "yaml";
import { z } from "zod";
import { describeError } from "./clean-text.ts";
import { toIsoDate } from "./iso-date.ts";
import { LoadError } from "./types.ts";

// "---" on the very first line, then YAML, then "---" (or YAML's "...") on a line of its own.
const FRONT_MATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

// YAML reads `title: 2026` as a number; that is still a usable title.
const textField = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value) => (value == null ? undefined : String(value)));

const dateField = z
  .union([z.string(), z.date()])
  .nullish()
  .refine((value) => value == null || toIsoDate(value) !== undefined, {
    message: 'must be a date such as "2026-01-15"',
  })
  .transform((value) => (value == null ? undefined : toIsoDate(value)));

const frontMatterSchema = z.object({
  title: textField,
  url: z
    .url()
    .nullish()
    .transform((value) => value ?? undefined),
  publisher: textField,
  author: textField,
  published: dateField,
  /** the day the document takes effect; before it, the documents it supersedes stay in force */
  effective: dateField,
  /** the documents it replaces: their paths in the corpus folder ("ke-hoach-2025.md") or titles */
  supersedes: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .nullish()
    .transform((value) =>
      value == null ? undefined : (Array.isArray(value) ? value : [value]).map((v) => v.trim()),
    ),
});

export type FrontMatter = Partial<z.output<typeof frontMatterSchema>>;

/** Splits off and validates the front matter; a file without one gets empty metadata. */
export function splitFrontMatter(source: string): { meta: FrontMatter; body: string } {
  const match = FRONT_MATTER.exec(source);
  if (!match) return { meta: {}, body: source };
  return { meta: validate(parseYaml(match[1] ?? "")), body: source.slice(match[0].length) };
}

function parseYaml(yaml: string): unknown {
  try {
    // "error" throws on syntax errors but keeps YAML's warnings off the console.
    return parse(yaml, { logLevel: "error" }) ?? {};
  } catch (error) {
    throw new LoadError(`invalid front matter: the YAML does not parse (${describeError(error)})`);
  }
}

function validate(data: unknown): FrontMatter {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new LoadError("invalid front matter: it must be YAML key: value pairs");
  }
  const result = frontMatterSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join(".") || "front matter"}: ${issue.message}`,
  );
  throw new LoadError(`invalid front matter: ${problems.join("; ")}`);
}
