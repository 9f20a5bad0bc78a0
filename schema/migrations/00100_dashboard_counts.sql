-- The dashboard's counts without reading whole tables. With a million
-- contacts and five million activities, the dashboard took 3-4 s: "bounces
-- in the last 7 days" read every activity, and "overdue privacy notices"
-- anti-joined every contact with every notice (2.7 s).
--
-- activities_bounces holds only bounces, by time. outbox_notice_unsent
-- holds only the privacy notices not sent (queued, failed, cancelled...),
-- by contact: the contacts whose notice may be overdue are found from it,
-- and campaign rows, the bulk of the outbox, never enter it. Its columns
-- (contact_id, kind, sent_at) are not changed by the claim of a message, so
-- the claim stays a HOT update (migration 00110).

-- +goose Up
CREATE INDEX activities_bounces ON activities (at) WHERE kind = 'bounce';
CREATE INDEX outbox_notice_unsent ON outbox (contact_id) WHERE kind = 'notice' AND sent_at IS NULL;

-- +goose Down
DROP INDEX outbox_notice_unsent;
DROP INDEX activities_bounces;
