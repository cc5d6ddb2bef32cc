-- Repeated identical refusals (failed or throttled sign-ins) as one record: how many times, and
-- when the last one happened (NULL: once, at `at`). Branch `harden`; renumber at merge.
ALTER TABLE audit_log ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_log ADD COLUMN last_at BIGINT;
