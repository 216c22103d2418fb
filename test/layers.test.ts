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
  // Benchmarks sit above everything they measure: they may import from src/ and ingest/, never the reverse.
  ["bench/"],
];

function layerOf(path: string): number | undefined {
  const i = LAYERS.findIndex((prefixes) => prefixes.some((p) => path === p || path.startsWith(p)));
  return i < 0 ? undefined : i;
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Relative import specifiers, type-only imports and re-exports included. */
function imports(path: string): string[] {
  const code = readFileSync(join(ROOT, path), "utf8");
  return [...code.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) =>
    relative(ROOT, resolve(ROOT, dirname(path), m[1] as string)),
  );
}

describe("layers", () => {
  it("every source file of src/, ingest/ and bench/ has a layer", () => {
    const unplaced = [...sources("src"), ...sources("ingest"), ...sources("bench")].filter(
      (path) => !/\.(json|sql|html|css)$/.test(path) && layerOf(path) === undefined,
    );
    expect(unplaced).toEqual([]);
  });

  it("no module imports from a layer above its own", () => {
    const upward: string[] = [];
    for (const path of [...sources("src"), ...sources("ingest"), ...sources("bench")]) {
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

  it("the service and ingestion import nothing from bench/ or test/", () => {
    const found = [...sources("src"), ...sources("ingest")].flatMap((path) =>
      imports(path)
        .filter((t) => /^(bench|test)\//.test(t))
        .map((t) => `${path} → ${t}`),
    );
    expect(found).toEqual([]);
  });

  it("no module of src/, ingest/ or bench/ imports itself through others (no import cycles)", () => {
    const files = [...sources("src"), ...sources("ingest"), ...sources("bench")];
    const edges = new Map(files.map((path) => [path, imports(path).filter((t) => files.includes(t))]));
    const cycles: string[] = [];
    const done = new Set<string>();
    const walk = (path: string, trail: string[]) => {
      const seen = trail.indexOf(path);
      if (seen >= 0) return void cycles.push([...trail.slice(seen), path].join(" → "));
      if (done.has(path)) return;
      for (const next of edges.get(path) ?? []) walk(next, [...trail, path]);
      done.add(path);
    };
    for (const path of files) walk(path, []);
    expect(cycles).toEqual([]);
  });
});
