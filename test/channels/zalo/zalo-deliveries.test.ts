import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryStore, type DeliveryStore } from "../../../src/store/delivery-store.ts";
import { migrate } from "../../../src/store/migrate.ts";
import { type TestEngine, testEngines } from "../../helpers/engines.ts";
import { recordingStatements } from "../../helpers/recording-db.ts";

/**
 * Zalo's message ids, taken once across replicas: the check is an INSERT … ON CONFLICT in the
 * database (migration 008), so it holds on PGlite and, with TEST_DATABASE_URL, on PostgreSQL
 * with concurrent connections.
 */
describe.each(testEngines().map((e) => [e.name, e] as [string, TestEngine]))(
  "channel deliveries on %s",
  (_, engine) => {
    let opened: Awaited<ReturnType<TestEngine["open"]>>;
    let replicaA: DeliveryStore;
    let replicaB: DeliveryStore;

    beforeAll(async () => {
      opened = await engine.open();
      await migrate(opened.db);
      replicaA = createDeliveryStore(opened.db);
      replicaB = createDeliveryStore(opened.db);
    });
    afterAll(() => opened?.drop());

    it("lets exactly one of many simultaneous claims of a message id win", async () => {
      const id = "2d758cb5e222177a4e35";
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? replicaA : replicaB).claim("zalo", id)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await replicaA.claim("zalo", id)).toBe(false);
      // Ids are per channel: the same id elsewhere is a different delivery.
      expect(await replicaB.claim("web", id)).toBe(true);
    });

    it("sends the claims made together as one statement, with exactly one winner per message id", async () => {
      const statements: string[] = [];
      const store = createDeliveryStore(recordingStatements(opened.db, statements));
      // 40 events, each delivered three times at once (the repeats in the same batch), plus one
      // taken earlier by the other replica.
      await replicaA.claim("zalo", "batch-msg-07");
      const ids = Array.from({ length: 40 }, (_, i) => `batch-msg-${String(i).padStart(2, "0")}`);
      const claims = await Promise.all([...ids, ...ids, ...ids].map((id) => store.claim("zalo", id)));
      expect(statements).toHaveLength(1);
      const winners = new Map<string, number>();
      [...ids, ...ids, ...ids].forEach((id, i) => {
        if (claims[i]) winners.set(id, (winners.get(id) ?? 0) + 1);
      });
      expect(winners.get("batch-msg-07")).toBeUndefined();
      expect(winners.size).toBe(39);
      for (const n of winners.values()) expect(n).toBe(1);
      // The first of the repeats in the batch is the one that wins.
      expect(claims.slice(0, 40).filter(Boolean)).toHaveLength(39);
    });

    it("lets exactly one of two replicas' concurrent batches win each id", async () => {
      const ids = Array.from({ length: 30 }, (_, i) => `race-msg-${i}`);
      const a = createDeliveryStore(opened.db);
      const b = createDeliveryStore(opened.db);
      const [fromA, fromB] = await Promise.all([
        Promise.all(ids.map((id) => a.claim("zalo", id))),
        Promise.all(ids.map((id) => b.claim("zalo", id))),
      ]);
      ids.forEach((_, i) => {
        expect(Number(fromA[i]) + Number(fromB[i])).toBe(1);
      });
    });

    it("fails every claim of a batch whose statement fails, so none of those messages is answered as new", async () => {
      const broken = createDeliveryStore({
        query: async () => {
          throw new Error("the database system is shutting down");
        },
        exec: async () => {},
      });
      const outcomes = await Promise.allSettled(["x1", "x2", "x3"].map((id) => broken.claim("zalo", id)));
      expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
      // Nothing was taken: the same ids are new to a working store.
      expect(await Promise.all(["x1", "x2", "x3"].map((id) => replicaA.claim("zalo", id)))).toEqual([
        true,
        true,
        true,
      ]);
    });

    it("forgets old deliveries when pruned, and keeps recent ones", async () => {
      await replicaA.claim("zalo", "old-message-id-0001");
      await opened.db.query(
        "UPDATE channel_deliveries SET received_at = now() - interval '4 days' WHERE delivery_id = $1",
        ["old-message-id-0001"],
      );
      expect(await replicaA.prune(3 * 24 * 3600_000)).toBe(1);
      expect(await replicaA.claim("zalo", "old-message-id-0001")).toBe(true);
      expect(await replicaA.claim("zalo", "2d758cb5e222177a4e35")).toBe(false);
    });
  },
);
