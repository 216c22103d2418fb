/**
 * The README and docs/ point at files and sections that exist: a moved or renamed file breaks a
 * link a newcomer would follow, and this test names it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PAGES = [
  join(ROOT, "README.md"),
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(ROOT, "docs", f)),
];

/** Markdown links and images, and HTML `src`/`href`, outside fenced code blocks. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return [
    ...[...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] as string),
    ...[...prose.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string),
  ];
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchors(markdown: string): Set<string> {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return new Set([...prose.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string)));
}

describe("links in the README and docs/", () => {
  it.each(PAGES.map((page) => [relative(ROOT, page), page]))(
    "every relative link of %s points to a file (and heading) that exists",
    (_name, page) => {
      const broken: string[] = [];
      for (const link of links(readFileSync(page, "utf8"))) {
        if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
        const [path = "", hash] = link.split("#");
        const target = path ? join(dirname(page), decodeURIComponent(path)) : page;
        if (!existsSync(target)) {
          broken.push(`${link}: no such file`);
          continue;
        }
        if (hash && target.endsWith(".md") && !anchors(readFileSync(target, "utf8")).has(hash)) {
          broken.push(`${link}: no such heading`);
        }
      }
      expect(broken).toEqual([]);
    },
  );

  it("the README stays a ten-minute read", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(150);
  });
});
