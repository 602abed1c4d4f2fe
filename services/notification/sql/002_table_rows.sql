-- Deliveries of every row of the table (config.h): the audience the
-- recipient was in, the HTML part of an e-mail and its iCalendar
-- invitation (the row's "attach"), the region's attempt limit
-- when the delivery was made, and the sending state (taken by a sender,
-- in flight) beside the others.
ALTER TABLE notification.deliveries
    ADD COLUMN audience text NOT NULL DEFAULT '',
    ADD COLUMN html text,
    ADD COLUMN calendar text,
    ADD COLUMN max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 100),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_status_check;
ALTER TABLE notification.deliveries ADD CONSTRAINT deliveries_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed'));
-- The sender's queue: due pending deliveries, and sending ones whose lease
-- has ended (their sender died).
DROP INDEX notification.deliveries_pending;
CREATE INDEX deliveries_due ON notification.deliveries (next_attempt_at)
    WHERE status IN ('pending', 'sending');
