import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDeliveryStore, type DeliveryStore } from "../src/store/delivery-store.ts";
import { migrate } from "../src/store/migrate.ts";
import { type TestEngine, testEngines } from "./helpers/engines.ts";

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
