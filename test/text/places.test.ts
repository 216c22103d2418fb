import { describe, expect, it } from "vitest";
import { placesIn } from "../../src/text/places.ts";

describe("placesIn", () => {
  it("finds a province or city however it is typed", () => {
    expect(placesIn("Đà Nẵng có bao nhiêu nhóm nhiệm vụ?")).toEqual([["Đà Nẵng"]]);
    expect(placesIn("đà nẵng có bao nhiêu nhóm nhiệm vụ")).toEqual([["Đà Nẵng"]]);
    expect(placesIn("da nang co bao nhieu nhom nhiem vu")).toEqual([["da nang"]]);
    expect(placesIn("tp hcm dat muc tieu bao nhieu")[0]).toContain("ho chi minh");
    // both tone-mark placements
    expect(placesIn("Khánh Hoà có gì?")).toEqual([["Khánh Hòa"]]);
  });

  it("does not take a word typed with its diacritics for a place", () => {
    // "đã nâng" is not "Đà Nẵng"; "năm định hướng" is not "Nam Định"
    expect(placesIn("Hà Nội đã nâng cao chất lượng?")).toEqual([["Hà Nội", "Thủ đô"]]);
    expect(placesIn("Năm định hướng chiến lược gồm những gì?")).toEqual([]);
  });
});
