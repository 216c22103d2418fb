-- 005: keep each passage's BM25 sparsevec inline and uncompressed, and everything else out of the
-- heap row, so that scoring reads small rows and never decompresses.
-- With MAIN storage a ~300-term sparsevec (~2.4 kB) was compressed in every row wider than the
-- default TOAST target, and every search decompressed it again. PLAIN forbids compression; the low
-- toast_tuple_target moves text, folded text, sentences and term ids out of line instead (as in
-- ../shared/bench/RETRIEVAL-NOTES.md). PLAIN values must fit in a page: the store caps a passage's
-- sparsevec at MAX_LEXICAL_TERMS entries (see corpus-store.ts). Existing rows keep their old layout
-- until they are rewritten (the next ingest of their document, or VACUUM FULL chunks).
ALTER TABLE chunks ALTER COLUMN lexical SET STORAGE PLAIN;
ALTER TABLE chunks ALTER COLUMN text SET STORAGE EXTENDED;
ALTER TABLE chunks ALTER COLUMN folded SET STORAGE EXTENDED;
ALTER TABLE chunks SET (toast_tuple_target = 128);
