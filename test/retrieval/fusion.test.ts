import { describe, expect, it } from "vitest";
import { fuse, RRF_K } from "../../src/retrieval/fusion.ts";

const list = (...ids: string[]) => ids.map((id, i) => ({ id, score: 10 - i }));

describe("fuse (weighted reciprocal rank fusion)", () => {
  it("sums weight / (k + rank) over the rankings a passage appears in", () => {
    const fused = fuse([
      { list: list("a", "b", "c"), weight: 1 },
      { list: list("b", "d"), weight: 1 },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["b", "a", "d", "c"]);
    expect(fused[0]?.score).toBeCloseTo(1 / (RRF_K + 2) + 1 / (RRF_K + 1));
    expect(fused[1]?.score).toBeCloseTo(1 / (RRF_K + 1));
  });

  it("prefers agreement: second in both beats first in one and fourth or lower in the other", () => {
    const fused = fuse([
      { list: list("x", "r", "a", "y"), weight: 1 },
      { list: list("y", "r", "w", "v", "x"), weight: 1 },
    ]);
    expect(fused[0]?.id).toBe("r");
    // ... but not first in one and third in the other: 1/61 + 1/63 > 2/62.
    expect(
      fuse([
        { list: list("x", "r", "y"), weight: 1 },
        { list: list("y", "r", "x"), weight: 1 },
      ])[0]?.id,
    ).toBe("x");
  });

  it("leaves out a ranking of weight 0 and scales by weight", () => {
    expect(
      fuse([
        { list: list("a"), weight: 0 },
        { list: list("b"), weight: 1 },
      ]).map((f) => f.id),
    ).toEqual(["b"]);
    const weighted = fuse([
      { list: list("a", "b"), weight: 1 },
      { list: list("b", "a"), weight: 3 },
    ]);
    expect(weighted.map((f) => f.id)).toEqual(["b", "a"]);
  });

  it("keeps the first ranking's order on ties", () => {
    const fused = fuse([
      { list: list("a", "b"), weight: 1 },
      { list: list("b", "a"), weight: 1 },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["a", "b"]);
  });
});
