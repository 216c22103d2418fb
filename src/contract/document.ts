/** A stored document as passages, citations and lists carry it: SQL nulls are absent fields. */
export interface DocumentRef {
  id: number;
  path: string;
  title: string;
  url?: string;
  publisher?: string;
  /** ISO date YYYY-MM-DD when known */
  published?: string;
  /** its text was read by OCR from page images (a scanned PDF or an image) */
  scanned?: boolean;
}
