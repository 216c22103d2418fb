-- 012: document frequencies of a bulk load, folded into term_stats once at its end.
-- Upserting every term of every batch into term_stats (~17,000 terms per 500 passages, most of
-- them already present) was a third of the database's time in a bulk load into an empty store.
-- Such a load instead appends one row per batch here, in the batch's own transaction (so a batch
-- and its frequencies commit together), and folds them all into term_stats when it ends. A load
-- killed half way leaves its rows here: opening the store folds them, as does the next ingest and
-- any removal of a document (which must subtract from complete frequencies).
CREATE TABLE term_stats_pending (
  id     bigserial PRIMARY KEY,
  terms  integer[] NOT NULL,
  dfs    integer[] NOT NULL
);
