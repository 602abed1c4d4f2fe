-- One row per message the service owes a recipient: rendered when the
-- triggering event is applied, sent afterwards by the sender with retries.
-- (event_id, recipient_id, channel) is unique so a replayed event adds nothing.
CREATE TABLE notification.deliveries (
    id                uuid PRIMARY KEY,
    event_id          text NOT NULL,
    event             text NOT NULL,
    channel           text NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient_id      text NOT NULL,
    recipient_address text NOT NULL,
    template          text NOT NULL,
    case_id           text,
    region            text NOT NULL,
    subject           text NOT NULL,
    body              text NOT NULL,
    status            text NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'suppressed')),
    attempts          integer NOT NULL DEFAULT 0,
    last_error        text,
    next_attempt_at   timestamptz NOT NULL DEFAULT now(),
    created_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz,
    UNIQUE (event_id, recipient_id, channel)
);
-- The sender's queue, and the list ordered per region and case.
CREATE INDEX deliveries_pending ON notification.deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX deliveries_region_created ON notification.deliveries (region, created_at, id);
CREATE INDEX deliveries_case_created ON notification.deliveries (case_id, created_at, id);
