-- Letters through GOV.UK Notify: a delivery's channel may be 'letter' (its
-- recipient_address the postal address's lines, separated by LF).
ALTER TABLE notification.deliveries DROP CONSTRAINT deliveries_channel_check;
ALTER TABLE notification.deliveries ADD CONSTRAINT deliveries_channel_check
    CHECK (channel IN ('email', 'sms', 'letter', 'webhook'));
