-- 009: the targets index ("chỉ tiêu"): every quantitative statement of the corpus as a row.
--
-- Extracted at ingestion from each passage's sentences (src/facts/extract-facts.ts) and written in
-- the same transaction as its document. A fact belongs to its passage: replacing or removing a
-- document deletes its passages, and ON DELETE CASCADE deletes their facts in that transaction,
-- so the index can never cite a passage that is gone.

CREATE TABLE facts (
  id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chunk_id     text NOT NULL REFERENCES chunks (id) ON DELETE CASCADE,
  position     integer NOT NULL,     -- order of the fact in its document
  value        text NOT NULL,        -- the figure as written: "11%", "1.662.336", "năm", "2026-2031"
  kind         text NOT NULL CHECK (kind IN ('percentage', 'count', 'money', 'year', 'period')),
  amount       double precision,     -- its numeric value (a period's first year), for ordering and quizzes
  counts       text NOT NULL,        -- what it counts or measures: "chỉ tiêu chủ yếu"
  qualifier    text,                 -- "từ ... trở lên", "thay cho 10 nhóm nhiệm vụ"
  period       text,                 -- the period it applies to: "2026-2031"
  quote        text NOT NULL,        -- its sentence, an exact substring of the passage text
  value_start  integer NOT NULL,     -- offsets into quote: the figure…
  value_end    integer NOT NULL,
  phrase_end   integer NOT NULL,     -- …and the end of the whole statement
  context      text NOT NULL,        -- the words around it in its clause
  terms        text[] NOT NULL       -- folded syllables of counts, qualifier, period and context: keyword filter
);
-- The cascade from chunks looks facts up by passage, and so does the answerer (facts of the
-- passages it reads).
CREATE INDEX facts_chunk ON facts (chunk_id, position);

-- Which version of the extractor produced the rows: when the code's FACTS_VERSION differs, the
-- facts of every stored passage are extracted again (also how a store ingested before this
-- migration gets its facts).
CREATE TABLE facts_index (
  singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version    integer NOT NULL DEFAULT 0
);
INSERT INTO facts_index DEFAULT VALUES;
