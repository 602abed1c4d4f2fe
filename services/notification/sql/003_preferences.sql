-- Each recipient's preferences (records.c, preferences.c): the channels in
-- their order, quiet hours in the region's time zone, and an opt-out of
-- the messages that allow it. A recipient with no row has the table's.
CREATE TABLE notification.preferences (
    contact_id  text PRIMARY KEY,
    region      text NOT NULL,
    channels    text[] NOT NULL DEFAULT '{}',
    quiet_from  time,
    quiet_to    time,
    opted_out   boolean NOT NULL DEFAULT false,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((quiet_from IS NULL) = (quiet_to IS NULL))
);

-- When a message made at "at" may go out, given quiet hours [q_from,
-- q_to) in zone tz: at itself outside them, else the end of the quiet
-- hours that day (or the next, for hours over midnight), in the zone's
-- wall time, so a clock change between is counted.
CREATE FUNCTION notification.quiet_until (at timestamptz, tz text, q_from time, q_to time)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN tz IS NULL OR q_from IS NULL OR q_to IS NULL OR q_from = q_to THEN at
        WHEN q_from < q_to THEN
            CASE WHEN (at AT TIME ZONE tz)::time >= q_from AND (at AT TIME ZONE tz)::time < q_to
                 THEN ((at AT TIME ZONE tz)::date + q_to) AT TIME ZONE tz ELSE at END
        WHEN (at AT TIME ZONE tz)::time >= q_from
            THEN ((at AT TIME ZONE tz)::date + 1 + q_to) AT TIME ZONE tz
        WHEN (at AT TIME ZONE tz)::time < q_to
            THEN ((at AT TIME ZONE tz)::date + q_to) AT TIME ZONE tz
        ELSE at
    END
$$;
