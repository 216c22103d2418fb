-- 007: the answers shown to users, by id, and the users' feedback on them (👍 / 👎).
--
-- A Telegram button can carry only 64 bytes (callback_data), so "Nguồn 2" and 👍 carry the
-- answer's id and the answer itself is kept here, in the database rather than in a process's
-- memory: the buttons keep working after a restart and on any replica.

CREATE TABLE answers (
  id               text PRIMARY KEY,          -- short random id (base64url), as carried by buttons
  channel          text NOT NULL,             -- "telegram" (later "web", "zalo")
  conversation_id  text,                      -- the conversation it was part of, when there was one
  user_id          text,                      -- the channel's id of the user who asked
  question         text NOT NULL,             -- as the user typed it
  answer           jsonb NOT NULL,            -- the answer contract as shown (text, citations, …)
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answers_created_at ON answers (created_at);

-- One vote per user per answer: the primary key makes a second tap an update, never a new row.
CREATE TABLE answer_feedback (
  answer_id   text NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
  user_id     text NOT NULL,
  vote        smallint NOT NULL CHECK (vote IN (-1, 1)),   -- 1 = 👍, -1 = 👎
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (answer_id, user_id)
);
