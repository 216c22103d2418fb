import { describe, expect, it } from "vitest";
import { createBatchCache } from "../../src/store/batch-cache.ts";

/** A cache over a fake store that records what it was asked for. */
function fixture(size = 10) {
  let version = "v1";
  const asked: string[][] = [];
  const store = new Map([
    ["a", "A1"],
    ["b", "B1"],
    ["c", "C1"],
  ]);
  const cache = createBatchCache<string>(
    size,
    async () => version,
    async (keys) => {
      asked.push([...keys]);
      return new Map(keys.flatMap((k) => (store.has(k) ? [[k, store.get(k) as string] as const] : [])));
    },
  );
  return {
    cache,
    asked,
    store,
    setVersion(v: string) {
      version = v;
    },
  };
}

describe("createBatchCache", () => {
  it("fetches only the keys it does not hold, all in one call", async () => {
    const { cache, asked } = fixture();
    expect(Object.fromEntries(await cache.getMany(["a", "b"]))).toEqual({ a: "A1", b: "B1" });
    expect(Object.fromEntries(await cache.getMany(["b", "c", "a"]))).toEqual({ a: "A1", b: "B1", c: "C1" });
    expect(asked).toEqual([["a", "b"], ["c"]]);
    await cache.getMany(["c", "a"]);
    expect(asked).toHaveLength(2);
  });

  it("drops everything when the corpus version changes, so an ingest is seen", async () => {
    const { cache, asked, store, setVersion } = fixture();
    await cache.getMany(["a"]);
    store.set("a", "A2");
    expect((await cache.getMany(["a"])).get("a")).toBe("A1");
    setVersion("v2");
    expect((await cache.getMany(["a"])).get("a")).toBe("A2");
    expect(asked).toEqual([["a"], ["a"]]);
  });

  it("does not keep a key the store does not have: it may be written later", async () => {
    const { cache, asked, store } = fixture();
    expect((await cache.getMany(["x"])).has("x")).toBe(false);
    store.set("x", "X1");
    expect((await cache.getMany(["x"])).get("x")).toBe("X1");
    expect(asked).toEqual([["x"], ["x"]]);
  });

  it("keeps at most `size` keys, dropping the least recently used", async () => {
    const { cache, asked } = fixture(2);
    await cache.getMany(["a", "b"]);
    await cache.getMany(["a"]); // b is now the least recently used
    await cache.getMany(["c"]);
    await cache.getMany(["a", "c"]);
    expect(asked).toEqual([["a", "b"], ["c"]]);
    await cache.getMany(["b"]);
    expect(asked.at(-1)).toEqual(["b"]);
  });

  it("does not keep what it fetched while the version changed", async () => {
    let version = "v1";
    let release: () => void = () => {};
    const calls: string[][] = [];
    const cache = createBatchCache<string>(
      10,
      async () => version,
      async (keys) => {
        const call = calls.push([...keys]);
        if (call === 1) await new Promise<void>((r) => (release = r));
        return new Map(keys.map((k) => [k, `${k}@${call}`]));
      },
    );
    const slow = cache.getMany(["a"]);
    await new Promise((r) => setTimeout(r, 0));
    version = "v2";
    expect((await cache.getMany(["b"])).get("b")).toBe("b@2");
    release();
    expect((await slow).get("a")).toBe("a@1");
    expect((await cache.getMany(["a"])).get("a")).toBe("a@3");
  });
});
