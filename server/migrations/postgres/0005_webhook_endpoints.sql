-- Webhook endpoints added by staff on the admin pages, beside those the operator gives with
-- --webhook. Each event is delivered to both sets; the set is read in the transaction that
-- writes the event, so an endpoint added here takes effect at the next change on every
-- receiver sharing the database. `secret` is kept as given, since every delivery is signed
-- with it: the database therefore holds these endpoints' signing secrets. Times are
-- microseconds since the Unix epoch.
CREATE TABLE webhook_endpoints (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    url        TEXT   NOT NULL,
    secret     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT   NOT NULL
);
