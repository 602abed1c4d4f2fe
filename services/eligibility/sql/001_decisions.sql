-- Eligibility decisions, one per referral: the first decision stands (a
-- redelivered referral.received inserts nothing and emits nothing).
CREATE TABLE eligibility.decisions (
    referral_id     uuid PRIMARY KEY,
    region          text NOT NULL,
    outcome         text NOT NULL CHECK (outcome IN ('eligible', 'ineligible',
                        'more_information_needed')),
    ruleset         text NOT NULL,
    version         int NOT NULL,
    decision        bytea NOT NULL,
    decided_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_region_outcome ON eligibility.decisions (region, outcome, decided_at);
