/**
 * The layering, written down once: a module may import from its own layer and the ones below it,
 * never from a layer above. docs/architecture.md explains each layer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Lowest first. A path belongs to the first entry it starts with. */
const LAYERS: string[][] = [
  ["src/contract/"],
  ["src/text/", "src/config.ts", "src/logger.ts", "src/error-message.ts"],
  ["src/store/", "src/embeddings/", "src/transcription/"],
  ["src/retrieval/", "src/facts/"],
  ["src/answer/", "src/quiz/", "src/study-pack/", "src/reliability/", "src/eval/", "src/stats/", "ingest/"],
  ["src/app.ts", "src/server/", "src/web/", "src/channels/", "src/cli/"],
  ["src/main.ts"],
];

function layerOf(path: string): number | undefined {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => path === p || path.startsWith(p)));
  return i < 0 ? undefined : i;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)))
    .filter((path) => !path.startsWith("ingest/bench/")); // benchmarks sit above everything they measure
}

/** Relative import specifiers, type-only imports and re-exports included. */
function imports(path: string): string[] {
  const code = readFileSync(join(ROOT, path), "utf8");
  return [...code.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) =>
    relative(ROOT, resolve(ROOT, dirname(path), m[1] as string)),
  );
}

describe("layers", () => {
  it("every source file of src/ and ingest/ has a layer", () => {
    const unplaced = [...sources("src"), ...sources("ingest")].filter(
      (path) => !/\.(json|sql|html|css)$/.test(path) && layerOf(path) === undefined,
    );
    expect(unplaced).toEqual([]);
  });

  it("no module imports from a layer above its own", () => {
    const upward: string[] = [];
    for (const path of [...sources("src"), ...sources("ingest")]) {
      const own = layerOf(path);
      if (own === undefined) continue;
      for (const target of imports(path)) {
        const theirs = layerOf(target);
        if (theirs !== undefined && theirs > own) upward.push(`${path} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("store/ and facts/ import nothing from answer/, retrieval/ or ingest/", () => {
    const found = [...sources("src/store"), ...sources("src/facts")].flatMap((path) =>
      imports(path)
        .filter((t) => /^(src\/answer|src\/retrieval|ingest)\//.test(t))
        .map((t) => `${path} → ${t}`),
    );
    expect(found).toEqual([]);
  });
});
