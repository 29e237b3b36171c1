-- Pledges that look automated are stored for review instead of being discarded: a false
-- positive would otherwise be a donor lost. `review_reason` says why a pledge was held and is
-- kept after a release; `released_at` says when a person released it.
ALTER TABLE pledges ADD COLUMN status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'review'));
ALTER TABLE pledges ADD COLUMN review_reason TEXT CHECK (review_reason IN ('honeypot', 'too_fast'));
ALTER TABLE pledges ADD COLUMN released_at BIGINT;

CREATE INDEX pledges_status_id ON pledges (status, id);

-- It held counts only (partner, reason, time), never personal data; the pledges themselves
-- are now kept.
DROP TABLE spam_attempts;

-- The health check writes here, as much as the largest pledge, and deletes it in the same
-- transaction: proof that a pledge could be stored now.
CREATE TABLE write_probes (
    id      BIGSERIAL PRIMARY KEY,
    payload BYTEA NOT NULL
);
