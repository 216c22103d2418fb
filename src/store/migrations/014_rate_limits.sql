-- 014: rate limits every replica shares. One row per limited key (a member on a channel, or a web
-- client) and window: the hits so far and when the window ends. Keys are keyed hashes
-- (src/store/id-hash.ts), never a user id or an address; expired rows are swept hourly.
CREATE TABLE rate_limits (
  key         text PRIMARY KEY,
  hits        integer NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at);
