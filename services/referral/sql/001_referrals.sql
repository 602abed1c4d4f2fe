-- Referrals as received, with the service's projection of their decision
-- and case (fed by eligibility.decided and assignment.case_opened).
CREATE TABLE referral.referrals (
    id              uuid PRIMARY KEY,
    region          text NOT NULL,
    nhs_number      text NOT NULL,
    source          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('received', 'eligible', 'ineligible',
                        'more_information_needed', 'withdrawn', 'closed')),
    received_at     timestamptz NOT NULL,
    created_by      text NOT NULL,
    created_by_role text NOT NULL,
    body            bytea NOT NULL,
    decision        bytea,
    decided_at      timestamptz,
    case_id         text,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
-- At most one open referral per child in a region.
CREATE UNIQUE INDEX referrals_open_child ON referral.referrals (region, nhs_number)
    WHERE status IN ('received', 'eligible', 'more_information_needed');
CREATE INDEX referrals_region_status ON referral.referrals (region, status, received_at);

-- Answers to POSTs that carried an Idempotency-Key, per caller.
CREATE TABLE referral.idempotency (
    caller          text NOT NULL,
    key             text NOT NULL,
    request_hash    bytea NOT NULL,
    response        bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
