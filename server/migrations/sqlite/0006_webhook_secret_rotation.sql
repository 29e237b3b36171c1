-- A stored endpoint's secret can be replaced on the admin pages. The secret it replaces goes
-- on signing deliveries, beside the new one, until `previous_secret_until` (microseconds since
-- the Unix epoch), so that whoever runs the endpoint can switch over without refusing a single
-- delivery. Like `secret`, it is kept as generated, since deliveries are signed with it.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_until INTEGER;
