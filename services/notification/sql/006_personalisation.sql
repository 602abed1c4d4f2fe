-- A delivery for a Notify template a region maps its table template to:
-- the values of the template's ((fields)) (a JSON object), sent as the
-- Notify template's personalisation beside the rendered message.
ALTER TABLE notification.deliveries ADD COLUMN personalisation text;
