-- A referral is decided again when information is added: one decision per
-- referral revision. And the service's projection of the DSR ratings it
-- needs (fed by referral.dsr_entry_created and referral.dsr_entry_changed).
ALTER TABLE eligibility.decisions ADD COLUMN revision int NOT NULL DEFAULT 0;
ALTER TABLE eligibility.decisions DROP CONSTRAINT decisions_pkey;
ALTER TABLE eligibility.decisions ADD PRIMARY KEY (referral_id, revision);

CREATE TABLE eligibility.dsr_ratings (
    region          text NOT NULL,
    nhs_number      text NOT NULL,
    rag             text NOT NULL,
    effective_date  date NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (region, nhs_number)
);
