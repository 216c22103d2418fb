-- 015: where in a PDF a passage is, and which documents were read by OCR.
-- A citation of a PDF passage shows its pages ("trang 12", or "trang 12-13" for a passage that
-- runs onto the next page); formats without pages (Markdown, HTML, .docx, .txt) leave both NULL.
-- A document whose text came from page images (a scanned PDF, a .png or .jpg) is marked, so its
-- citations can warn that the text was machine-read ("văn bản quét").
-- Documents stored before this migration get no pages until their file changes or is re-ingested
-- (`npm run ingest -- --reembed`).
ALTER TABLE chunks ADD COLUMN page_start integer;
ALTER TABLE chunks ADD COLUMN page_end integer;
ALTER TABLE chunks ADD CONSTRAINT chunks_pages_ordered CHECK (page_end >= page_start);
ALTER TABLE documents ADD COLUMN scanned boolean NOT NULL DEFAULT false;
