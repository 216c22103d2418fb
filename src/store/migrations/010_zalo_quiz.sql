-- 010: quizzes in progress in a channel without native polls (Zalo), one per conversation.
--
-- Zalo has no quiz polls: /quiz sends one question as text and the member's next message is the
-- reply. What is pending must survive a restart and be seen by every replica, so it is kept here,
-- not in a process's memory. A quiz is reproducible from (topic, count, seed) on an unchanged
-- corpus, so the row holds those and the index of the question waiting for a reply; the question's
-- id tells whether the corpus changed under the quiz. A reply moves `position` on with
-- UPDATE … WHERE position = <the one graded>, so two replicas never grade the same question twice.

CREATE TABLE quiz_sessions (
  conversation_id  text PRIMARY KEY,            -- the channel's conversation id, e.g. "zalo:<chat>"
  topic            text NOT NULL,               -- as typed after /quiz ("" for the whole corpus)
  count            integer NOT NULL,            -- questions asked for
  seed             integer NOT NULL,
  position         integer NOT NULL DEFAULT 0,  -- index of the question waiting for a reply
  question_id      text NOT NULL,               -- that question's id (QuizQuestion.id)
  correct          integer NOT NULL DEFAULT 0,  -- questions answered right so far
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quiz_sessions_updated_at ON quiz_sessions (updated_at);
