-- 016: versions of a document. Front matter `effective: 2026-07-01` says when a document takes
-- effect; `supersedes: ke-hoach-2025.md` (a path in the corpus folder, or a title; one or a list)
-- says which documents it replaces. A document is superseded once a document that names it is in
-- force (its `effective` day has come, or it has none); until then it stays in force itself.
-- Search ranks passages of documents not in force lower (src/retrieval/retriever.ts), an answer
-- drawn from one says so, and the targets list shows only figures of documents in force.
ALTER TABLE documents ADD COLUMN effective date;
ALTER TABLE documents ADD COLUMN supersedes text[] NOT NULL DEFAULT '{}';
-- Finding who supersedes a passage's document (`supersedes && ARRAY[path, title]`) uses it.
CREATE INDEX documents_supersedes ON documents USING gin (supersedes);

-- Each document's standing today: the document in force that supersedes it (the latest to take
-- effect), and whether it is itself in force (not superseded, and its `effective` day has come).
-- A view, so "today" is the day of the query: a version taking effect needs no new ingest.
CREATE VIEW document_versions AS
SELECT d.id,
       s.title AS superseded_by,
       s.effective AS superseded_from,
       (s.id IS NULL AND (d.effective IS NULL OR d.effective <= current_date)) AS in_force
  FROM documents d
  LEFT JOIN LATERAL (
    SELECT n.id, n.title, n.effective
      FROM documents n
     WHERE n.supersedes && ARRAY[d.path, d.title] AND n.id <> d.id
       AND (n.effective IS NULL OR n.effective <= current_date)
     ORDER BY n.effective DESC NULLS LAST, n.id DESC
     LIMIT 1
  ) s ON true;
