-- Referral changes (information added, withdrawal) and the Dynamic Support
-- Register: one entry per child in a region, its rating history, and every
-- import with its counts.
ALTER TABLE referral.referrals
    ADD COLUMN revision          int NOT NULL DEFAULT 0,
    ADD COLUMN decision_revision int,
    ADD COLUMN withdrawn_at      timestamptz,
    ADD COLUMN withdrawal_reason text;
-- Lists page by (received_at, id) within a region.
CREATE INDEX referrals_region_received ON referral.referrals (region, received_at, id);

CREATE TABLE referral.dsr_imports (
    id              uuid PRIMARY KEY,
    region          text NOT NULL,
    format          text NOT NULL CHECK (format IN ('csv', 'ndjson')),
    sha256          bytea NOT NULL,
    bytes           bigint NOT NULL,
    rows            int NOT NULL,
    created         int NOT NULL,
    updated         int NOT NULL,
    unchanged       int NOT NULL,
    rejected        int NOT NULL,
    imported_by     text NOT NULL,
    imported_by_role text NOT NULL,
    imported_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dsr_imports_region ON referral.dsr_imports (region, imported_at);

CREATE TABLE referral.dsr_entries (
    region                  text NOT NULL,
    nhs_number              text NOT NULL,
    dsr_id                  text NOT NULL,
    given_name              text NOT NULL,
    family_name             text NOT NULL,
    date_of_birth           date NOT NULL,
    postcode                text,
    learning_disability     boolean,
    autism                  boolean,
    rag                     text NOT NULL CHECK (rag IN ('red', 'amber', 'green', 'blue')),
    rag_effective_date      date NOT NULL,
    inpatient               boolean,
    consent_basis           text CHECK (consent_basis IN ('own_consent', 'parental_responsibility',
                                'best_interest')),
    lead_professional_email text,
    cetr_last               date,
    cetr_next               date,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    last_import_id          uuid NOT NULL,
    PRIMARY KEY (region, nhs_number)
);

-- A row only when an entry is created or its rating or effective date changes.
-- Entries, ratings and imports are written together by the import alone, so
-- no foreign keys: their per-row checks cost an import of 100,000 rows more
-- than the rows themselves.
CREATE TABLE referral.dsr_ratings (
    region          text NOT NULL,
    nhs_number      text NOT NULL,
    rag             text NOT NULL,
    effective_date  date NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    import_id       uuid NOT NULL,
    id              bigserial PRIMARY KEY
);
CREATE INDEX dsr_ratings_entry ON referral.dsr_ratings (region, nhs_number, id);
