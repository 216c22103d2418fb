-- 018: "today" for document versions is the day in Việt Nam (UTC+7, no daylight saving time), not
-- the database server's date: a server kept in UTC would put a plan effective on 01/01/2026 in
-- force at 07:00 in Hà Nội, and a session's TimeZone setting could move it further. Computed from
-- UTC, which every PostgreSQL (PGlite included) knows without a time-zone database.
CREATE FUNCTION vietnam_today() RETURNS date
  LANGUAGE sql STABLE
  RETURN ((now() AT TIME ZONE 'UTC') + interval '7 hours')::date;

CREATE OR REPLACE VIEW document_versions AS
SELECT d.id,
       s.title AS superseded_by,
       s.effective AS superseded_from,
       (s.id IS NULL AND (d.effective IS NULL OR d.effective <= vietnam_today())) AS in_force
  FROM documents d
  LEFT JOIN LATERAL (
    SELECT n.id, n.title, n.effective
      FROM documents n
     WHERE n.supersedes && ARRAY[d.path, d.title] AND n.id <> d.id
       AND (n.effective IS NULL OR n.effective <= vietnam_today())
     ORDER BY n.effective DESC NULLS LAST, n.id DESC
     LIMIT 1
  ) s ON true;
