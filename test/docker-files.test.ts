import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { configSchema } from "../src/config.ts";

/**
 * The deployment files, checked without a Docker engine: docker-compose.yml as data (yaml), the
 * Dockerfile as text (instructions and stages), and the production dependency tree from
 * package-lock.json (what `npm ci --omit=dev` installs in the image).
 */

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

// ---- docker-compose.yml -------------------------------------------------------------------------

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
  ports?: (string | { target: number; published: string | number })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read("docker-compose.yml")) as Compose;
const service = (name: string): ComposeService => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** Compose's `${VAR}`, `${VAR:-default}`, `${VAR-default}` with no variable set: the defaults. */
const interpolateDefaults = (value: string) =>
  value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name, fallback?: string) => fallback ?? "");

function environment(s: ComposeService): Record<string, string> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const i = entry.indexOf("=");
        return i < 0 ? [entry, ""] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v ?? "")]));
}

const dependsOn = (s: ComposeService): Record<string, string | undefined> =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, undefined]))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v?.condition]));

const buildContext = (s: ComposeService) => (typeof s.build === "string" ? s.build : s.build?.context);

describe("docker-compose.yml", () => {
  it("has exactly the db, ingest and app services", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "db", "ingest"]);
  });

  it("runs PostgreSQL with pgvector, a pg_isready health check and a named volume", () => {
    const db = service("db");
    expect(db.image).toMatch(/^pgvector\/pgvector:pg\d+/);
    expect(JSON.stringify(db.healthcheck?.test)).toContain("pg_isready");
    const mounts = (db.volumes ?? []).map((v) => (typeof v === "string" ? v : `${v.source}:${v.target}`));
    expect(mounts.some((m) => /^pgdata:\/var\/lib\/postgresql\/data\b/.test(m))).toBe(true);
    const env = environment(db);
    expect(env.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:-[^}]+\}$/);
  });

  it("builds app and ingest from this repository's Dockerfile, as one image", () => {
    for (const name of ["app", "ingest"]) {
      const s = service(name);
      expect(buildContext(s), name).toBe(".");
      const dockerfile = typeof s.build === "object" ? (s.build.dockerfile ?? "Dockerfile") : "Dockerfile";
      expect(existsSync(join(ROOT, dockerfile))).toBe(true);
    }
    expect(service("app").image).toBeDefined();
    expect(service("ingest").image).toBe(service("app").image);
  });

  it("runs ingest once, after the database is healthy", () => {
    const ingest = service("ingest");
    expect(ingest.command).toEqual(["node", "--import", "tsx", "ingest/cli.ts"]);
    expect(existsSync(join(ROOT, "ingest/cli.ts"))).toBe(true);
    expect(ingest.restart).toBe("no");
    expect(dependsOn(ingest)).toEqual({ db: "service_healthy" });
    expect(ingest.ports ?? []).toEqual([]);
  });

  it("starts app after the database is healthy and ingest has succeeded, on port 3000", () => {
    const app = service("app");
    expect(dependsOn(app)).toEqual({ db: "service_healthy", ingest: "service_completed_successfully" });
    expect(app.command).toBeUndefined(); // the image's CMD: node --import tsx src/main.ts
    expect(app.ports).toContain("3000:3000");
    expect(app.restart).toBe("unless-stopped");
    expect(app.healthcheck?.disable).not.toBe(true); // inherits the image's HEALTHCHECK
  });

  it("points app and ingest at the db service with the same, valid configuration", () => {
    const appEnv = environment(service("app"));
    expect(environment(service("ingest"))).toEqual(appEnv);
    const raw = appEnv.DATABASE_URL ?? "";
    // the password comes from the environment (.env), never written out
    expect(raw).toMatch(/^postgres(ql)?:\/\/(\$\{[^}]+\}|[^:@/]+):\$\{POSTGRES_PASSWORD(:-[^}]*)?\}@/);
    const url = new URL(interpolateDefaults(raw));
    expect(url.hostname).toBe("db");
    expect(url.port || "5432").toBe("5432");
    const dbEnv = environment(service("db"));
    expect(decodeURIComponent(url.username)).toBe(interpolateDefaults(dbEnv.POSTGRES_USER ?? "postgres"));
    expect(url.pathname).toBe(`/${interpolateDefaults(dbEnv.POSTGRES_DB ?? dbEnv.POSTGRES_USER ?? "")}`);
    // every variable, with Compose's defaults, passes the program's own schema
    const interpolated = Object.fromEntries(
      Object.entries(appEnv).map(([k, v]) => [k, interpolateDefaults(v)]),
    );
    const parsed = configSchema.safeParse(interpolated);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data?.DATABASE_URL).toBe(url.toString().replace(/\/$/, ""));
  });

  it("hard-codes no secret: every password or key comes from a Compose variable", () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(environment(s))) {
        if (/PASSWORD|API_KEY|TOKEN|SECRET/.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{\w+/);
      }
    }
  });

  it("declares every named volume it mounts", () => {
    const declared = Object.keys(compose.volumes ?? {});
    expect(declared).toContain("pgdata");
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === "string" ? v.split(":")[0] : v.source;
        if (source && !/^[./~]/.test(source) && v !== source)
          expect(declared, `${name}: ${source}`).toContain(source);
      }
    }
  });

  const composeCli = spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status === 0;
  it.skipIf(!composeCli)("is accepted by `docker compose config` (when the Compose plugin exists)", () => {
    const result = spawnSync("docker", ["compose", "-f", "docker-compose.yml", "config", "--quiet"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, POSTGRES_PASSWORD: "test-only" },
    });
    expect(result.status, result.stderr).toBe(0);
  });
});

// ---- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name?: string;
  base: string;
  instructions: Instruction[];
}

/** Instructions of a Dockerfile: comments dropped, `\` continuations joined. */
function instructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (/^\s*#/.test(line)) continue;
    const continued = /\\\s*$/.test(line);
    current += `${continued ? line.replace(/\\\s*$/, "") : line} `;
    if (!continued) {
      if (current.trim()) logical.push(current.trim());
      current = "";
    }
  }
  if (current.trim()) logical.push(current.trim());
  return logical.map((l) => {
    const m = /^(\w+)\s*(.*)$/s.exec(l);
    return { keyword: (m?.[1] ?? "").toUpperCase(), args: (m?.[2] ?? "").replace(/\s+/g, " ").trim() };
  });
}

function stages(all: Instruction[]): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const result: Stage[] = [];
  for (const ins of all) {
    if (ins.keyword === "FROM") {
      const [, base = "", name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args) ?? [];
      result.push({
        base: base.replace(/\$\{?(\w+)\}?/g, (_m, v: string) => args[v] ?? ""),
        name,
        instructions: [],
      });
    } else if (result.length === 0 && ins.keyword === "ARG") {
      const [k = "", v = ""] = ins.args.split("=");
      args[k] = v;
    } else result.at(-1)?.instructions.push(ins);
  }
  return { args, stages: result };
}

const dockerfile = stages(instructions(read("Dockerfile")));
const final = dockerfile.stages.at(-1) as Stage;
const finalOf = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword);
const runs = (stage: Stage) =>
  stage.instructions
    .filter((i) => i.keyword === "RUN")
    .map((i) => i.args)
    .join("\n");
const installsProdOnly = (stage: Stage) =>
  /npm ci\b[^\n]*(--omit=dev|--production|--only=prod)/.test(runs(stage));
const installsAll = (stage: Stage) => /npm ci\b/.test(runs(stage)) && !installsProdOnly(stage);

/** `COPY [--flags] src… dest` (shell or JSON form) → flags, sources, destination. */
function parseCopy(args: string): { from?: string; sources: string[]; dest: string } {
  const flags: Record<string, string> = {};
  let rest = args;
  for (let m = /^--(\w+)=(\S+)\s+/.exec(rest); m; m = /^--(\w+)=(\S+)\s+/.exec(rest)) {
    flags[m[1] as string] = m[2] as string;
    rest = rest.slice(m[0].length);
  }
  const parts = rest.startsWith("[") ? (JSON.parse(rest) as string[]) : rest.split(" ");
  return { from: flags.from, sources: parts.slice(0, -1), dest: parts.at(-1) ?? "" };
}

describe("Dockerfile", () => {
  it("is multi-stage on node:20-bookworm-slim: all dependencies, production dependencies, runtime", () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    const named = new Set(dockerfile.stages.map((s) => s.name));
    for (const s of dockerfile.stages) {
      if (!named.has(s.base)) expect(s.base).toBe("node:20-bookworm-slim");
    }
    expect(dockerfile.stages.some(installsAll)).toBe(true);
    expect(dockerfile.stages.some(installsProdOnly)).toBe(true);
    expect(final.base).toBe("node:20-bookworm-slim");
  });

  it("takes the final node_modules from the `npm ci --omit=dev` stage, never from the dev one", () => {
    const prodStages = new Set(dockerfile.stages.filter(installsProdOnly).map((s) => s.name));
    const devStages = new Set(dockerfile.stages.filter(installsAll).map((s) => s.name));
    const fromCopies = finalOf("COPY")
      .map((i) => parseCopy(i.args))
      .filter((c) => c.from);
    const nodeModules = fromCopies.filter((c) => c.sources.some((s) => s.includes("node_modules")));
    expect(nodeModules).toHaveLength(1);
    expect(prodStages.has(nodeModules[0]?.from)).toBe(true);
    for (const c of fromCopies) expect(devStages.has(c.from)).toBe(false);
    expect(installsAll(final)).toBe(false);
    expect(final.base).not.toBe(dockerfile.stages.find(installsAll)?.name);
  });

  it("copies the sources the service needs, and only paths that exist and are not .dockerignored", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    const copied = new Set<string>();
    for (const stage of dockerfile.stages) {
      for (const ins of stage.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD")) {
        const c = parseCopy(ins.args);
        if (c.from) continue;
        for (const source of c.sources) {
          const path = source.replace(/^\.\//, "").replace(/\/$/, "");
          expect(existsSync(resolve(ROOT, path)), `${ins.keyword} ${source}`).toBe(true);
          expect(ignored, `${source} is excluded by .dockerignore`).not.toContain(path);
          if (stage === final) copied.add(path);
        }
      }
    }
    for (const needed of ["src", "ingest", "corpus", "prompts", "package.json", "tsconfig.json"]) {
      expect(copied, needed).toContain(needed);
    }
    for (const excluded of ["node_modules", ".data", ".git", "test-artifacts", "coverage", "*.log"]) {
      expect(ignored).toContain(excluded);
    }
  });

  it("runs as the non-root node user with DATA_DIR on a volume it owns", () => {
    const users = finalOf("USER").map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    expect(users.at(-1)).toBe("node");
    const env = finalOf("ENV")
      .map((i) => i.args)
      .join(" ");
    for (const pair of ["NODE_ENV=production", "PORT=3000", "HOST=0.0.0.0", "DATA_DIR=/data"]) {
      expect(env).toContain(pair);
    }
    expect(runs(final)).toMatch(/chown\s+node(:node)?\s+\/data/);
    expect(
      finalOf("VOLUME")
        .map((i) => i.args)
        .join(" "),
    ).toContain("/data");
    // the ownership change happens as root, before switching user
    const order = final.instructions.map((i) => i.keyword);
    expect(order.lastIndexOf("RUN")).toBeLessThan(order.lastIndexOf("USER"));
  });

  it("exposes 3000 and checks /healthz with node (no curl in slim images)", () => {
    expect(finalOf("EXPOSE").map((i) => i.args)).toContain("3000");
    const health = finalOf("HEALTHCHECK").map((i) => i.args);
    expect(health).toHaveLength(1);
    expect(health[0]).toContain("/healthz");
    expect(health[0]).toMatch(/CMD \[?"?node/);
    expect(health[0]).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it("starts node itself as PID 1 (signals reach the service), running src/main.ts through tsx", () => {
    const cmd = finalOf("CMD").at(-1)?.args ?? "";
    expect(JSON.parse(cmd)).toEqual(["node", "--import", "tsx", "src/main.ts"]);
    expect(existsSync(join(ROOT, "src/main.ts"))).toBe(true);
    expect(finalOf("ENTRYPOINT")).toEqual([]);
  });
});

// ---- what `npm ci --omit=dev` installs ----------------------------------------------------------

interface Lockfile {
  packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
}

/** Bare module specifiers imported (as values) by the files reachable from `entry`. */
function runtimeImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  const pattern =
    /^\s*(?:import|export)\s+(?!type\s)(?:[^"';]*?\sfrom\s+)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire(?:\.resolve)?\(\s*["']([^"']+)["']\s*\)/gm;
  for (let file = queue.pop(); file; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(pattern)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? "";
      if (spec.startsWith(".")) {
        const target = resolve(dirname(file), spec);
        if (/\.(ts|js|mjs)$/.test(target) && existsSync(target)) queue.push(target);
      } else if (!spec.startsWith("node:")) {
        const parts = spec.split("/");
        packages.add(spec.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] as string));
      }
    }
  }
  return packages;
}

describe("production dependencies (package-lock.json)", () => {
  const lock = JSON.parse(read("package-lock.json")) as Lockfile;
  const installedInProduction = (name: string) => {
    const entry = lock.packages[`node_modules/${name}`];
    return entry !== undefined && !entry.dev && !entry.devOptional;
  };

  it.each([["src/main.ts"], ["ingest/cli.ts"], ["src/web/client/main.ts"]])(
    "installs every package %s needs at run time",
    (entry) => {
      const imported = runtimeImports(entry);
      if (entry === "src/main.ts") {
        for (const p of ["hono", "@hono/node-server", "pg", "@electric-sql/pglite", "esbuild", "zod"]) {
          expect(imported, "the import walker must see the service's own dependencies").toContain(p);
        }
      }
      const packages = [...imported, "tsx", "esbuild"];
      const missing = packages.filter((p) => !installedInProduction(p));
      expect(missing, "imported at run time but left out by `npm ci --omit=dev`").toEqual([]);
    },
  );
});
