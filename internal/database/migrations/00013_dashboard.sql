-- +goose Up
-- Dashboards (issue 14) count findings by month, overdue findings by
-- severity and remediation times with aggregates; these indexes hold every
-- column those counts read, so that each reads an index range and no row.
-- Found by month: a range of first_seen, the organisation beside it for agencies.
CREATE INDEX findings_first_seen ON findings(first_seen, org_id);
-- Resolved (verified, closed) by month, by when they got there.
CREATE INDEX findings_resolved ON findings(status, status_changed_at, org_id);
-- Overdue by severity: the open findings by due date.
CREATE INDEX findings_due_severity ON findings(status, severity_rank, due_date, org_id);
-- Mean time to remediate by severity: on PostgreSQL the two times beside
-- the keys (an index-only scan); on SQLite the duration itself, which would
-- otherwise be computed from two timestamps stored as text in every row.
{{if .Postgres}}
CREATE INDEX findings_resolution ON findings(status, severity_rank, org_id) INCLUDE (first_seen, status_changed_at);
{{else}}
CREATE INDEX findings_resolution ON findings(status, severity_rank, org_id, (julianday(status_changed_at) - julianday(first_seen)));
{{end}}

-- +goose Down
DROP INDEX findings_resolution;
DROP INDEX findings_due_severity;
DROP INDEX findings_resolved;
DROP INDEX findings_first_seen;
