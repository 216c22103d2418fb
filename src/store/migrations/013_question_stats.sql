-- 013: what members ask, for the trainers' view (GET /api/stats, the "Thống kê" page, /thongke).
--
-- Answers are recorded as they are shown (007). A roll-up (src/store/stats-store.ts) folds each
-- recorded answer once into the daily tables below and marks it counted; the view reads its counts
-- from them. Retention (RETENTION_DAYS) then deletes old answers, feedback and conversations in
-- batches, and the daily tables, which hold no user id, survive it.

ALTER TABLE answers ADD COLUMN counted boolean NOT NULL DEFAULT false;
CREATE INDEX answers_uncounted ON answers (created_at) WHERE NOT counted;

-- One row per day, channel and wording: `question_key` groups the wordings of one question (typed
-- with or without diacritics, other spacing or word order), `question` is one such wording.
CREATE TABLE question_daily (
  day           date NOT NULL,
  channel       text NOT NULL,
  question_key  text NOT NULL,
  question      text NOT NULL,
  asked         integer NOT NULL DEFAULT 0,
  unanswered    integer NOT NULL DEFAULT 0,   -- of those, how many the documents could not answer
  PRIMARY KEY (day, channel, question_key, question)
);
CREATE INDEX question_daily_key ON question_daily (question_key);

-- How often each document and section was cited in an answer, per day and channel.
CREATE TABLE section_daily (
  day       date NOT NULL,
  channel   text NOT NULL,
  document  text NOT NULL,
  section   text NOT NULL,                    -- '' when the passage has no heading
  cited     integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, channel, document, section)
);

-- Secrets the service makes for itself on first use and every replica shares (the key of the
-- keyed hash that stands in for user ids).
CREATE TABLE app_secrets (
  name        text PRIMARY KEY,
  value       text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
