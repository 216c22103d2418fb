import { readFile } from "node:fs/promises";
import { build } from "esbuild";

export interface WebAssets {
  html: string;
  js: string;
  css: string;
}

const here = (file: string) => new URL(file, import.meta.url);

/**
 * Bundles the chat page (plain TypeScript + CSS, no framework) in memory when the service starts:
 * nothing to build by hand and no stale bundle to ship. No external asset: members may be on poor
 * networks, and these machines have no internet.
 */
export async function buildWebAssets(): Promise<WebAssets> {
  const result = await build({
    entryPoints: [here("./client/main.ts").pathname],
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020"],
    write: false,
    logLevel: "silent",
  });
  const js = result.outputFiles[0]?.text ?? "";
  const [html, css] = await Promise.all([
    readFile(here("./index.html"), "utf8"),
    readFile(here("./styles.css"), "utf8"),
  ]);
  return { html, js, css };
}
