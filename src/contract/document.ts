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
  /** ISO date it takes effect (front matter `effective`) */
  effective?: string;
  /** false when it is not in force today: superseded, or its `effective` day is still to come */
  inForce?: boolean;
  /** the document in force that replaced it, and since when */
  supersededBy?: { title: string; effective?: string };
}
