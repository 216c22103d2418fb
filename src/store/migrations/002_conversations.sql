-- 002: conversations, so that follow-up questions ("còn GRDP thì sao?") are understood, on every
-- channel and across restarts and replicas.

CREATE TABLE conversations (
  id          text PRIMARY KEY,          -- channel-scoped, e.g. "telegram:12345", "cli:abc"
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE conversation_turns (
  id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  conversation_id    text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  question           text NOT NULL,
  resolved_question  text NOT NULL,      -- the question as searched (a follow-up carries context)
  answer             jsonb NOT NULL,     -- the answer contract as returned to the user
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_turns_recent ON conversation_turns (conversation_id, id DESC);
