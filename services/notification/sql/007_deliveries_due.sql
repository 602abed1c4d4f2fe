-- The sender's queue in the order it takes it: per channel, the due
-- deliveries by next_attempt_at then id, so taking the next few reads
-- them off the index instead of sorting every due row.
DROP INDEX notification.deliveries_due;
CREATE INDEX deliveries_due ON notification.deliveries (channel, next_attempt_at, id)
    WHERE status IN ('pending', 'sending');
