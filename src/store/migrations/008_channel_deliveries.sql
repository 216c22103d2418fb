-- 008: the messages a channel has already taken, so a repeated delivery is answered once.
--
-- Zalo re-sends a webhook event it thinks was lost, and with several replicas behind a load
-- balancer the repeat may reach another process: the check must be in the database, not in a
-- process's memory. A channel claims a delivery with INSERT … ON CONFLICT DO NOTHING; the one
-- insert that returns a row answers, every other one sees a duplicate. Rows are only needed for
-- as long as a channel may repeat a delivery, so old ones are pruned (by received_at).

CREATE TABLE channel_deliveries (
  channel      text NOT NULL,                       -- "zalo" (any channel with delivery ids)
  delivery_id  text NOT NULL,                       -- the channel's id of the message, e.g. Zalo's message_id
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, delivery_id)
);
CREATE INDEX channel_deliveries_received_at ON channel_deliveries (received_at);
