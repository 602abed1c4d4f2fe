-- Signed links used (link.use): each token acts once. The token is kept
-- only as its SHA-256 (kw_link_id), never itself.
CREATE TABLE assignment.used_links (
    token_id        text PRIMARY KEY,
    action          text NOT NULL,
    offer_id        uuid NOT NULL REFERENCES assignment.offers (id),
    professional_id uuid NOT NULL REFERENCES assignment.professionals (id),
    used_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX used_links_offer ON assignment.used_links (offer_id);
