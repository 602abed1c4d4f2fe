-- Meeting invitations' signed links used (meeting_link.use): a
-- participant answers through a link once for each SEQUENCE of the
-- invitation. The token is kept only as its SHA-256 (kw_link_id).
CREATE TABLE scheduling.used_links (
    token_id        text PRIMARY KEY,
    meeting_id      uuid NOT NULL REFERENCES scheduling.meetings (id),
    person_id       text NOT NULL,
    sequence        int NOT NULL,
    action          text NOT NULL,
    used_at         timestamptz NOT NULL DEFAULT now (),
    UNIQUE (meeting_id, person_id, sequence)
);
