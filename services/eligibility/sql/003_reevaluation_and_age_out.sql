-- Re-evaluation: a referral is decided again on demand, after a rule change
-- and when the child's DSR rating changes, so decisions are numbered per
-- referral and say what caused them. A referral revision is still decided
-- once from its own event (received, information_added).
ALTER TABLE eligibility.decisions ADD COLUMN sequence int, ADD COLUMN cause text;
UPDATE eligibility.decisions d SET sequence = n.sequence,
       cause = CASE WHEN d.revision = 0 THEN 'received' ELSE 'information_added' END
  FROM (SELECT referral_id, revision,
               row_number () OVER (PARTITION BY referral_id ORDER BY revision) AS sequence
          FROM eligibility.decisions) n
 WHERE n.referral_id = d.referral_id AND n.revision = d.revision;
ALTER TABLE eligibility.decisions ALTER COLUMN sequence SET NOT NULL,
    ALTER COLUMN cause SET NOT NULL,
    ADD CONSTRAINT decisions_cause CHECK (cause IN ('received', 'information_added',
        'dsr_rating_changed', 're_evaluation'));
ALTER TABLE eligibility.decisions DROP CONSTRAINT decisions_pkey;
ALTER TABLE eligibility.decisions ADD PRIMARY KEY (referral_id, sequence);
CREATE UNIQUE INDEX decisions_revision_once ON eligibility.decisions (referral_id, revision)
    WHERE cause IN ('received', 'information_added');

-- The referrals eligibility has seen (fed by referral.received,
-- information_added and withdrawn): the newest revision's body, to decide
-- again without asking the referral service.
CREATE TABLE eligibility.referrals (
    referral_id     uuid PRIMARY KEY,
    region          text NOT NULL,
    nhs_number      text NOT NULL,
    revision        int NOT NULL,
    body            bytea NOT NULL,
    date_of_birth   date,
    withdrawn       boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referrals_child ON eligibility.referrals (region, nhs_number);

-- Open cases (fed by assignment.case_opened and case_closed), for age-out.
CREATE TABLE eligibility.cases (
    case_id         uuid PRIMARY KEY,
    referral_id     uuid NOT NULL,
    region          text NOT NULL,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz
);
CREATE INDEX cases_open ON eligibility.cases (region) WHERE closed_at IS NULL;

-- Age-out events emitted, once per case and kind.
CREATE TABLE eligibility.age_out_events (
    case_id         uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('transition_due', 'age_out')),
    upper_age_date  date NOT NULL,
    emitted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, kind)
);

-- Answers to POSTs that carried an Idempotency-Key, per caller.
CREATE TABLE eligibility.idempotency (
    caller          text NOT NULL,
    key             text NOT NULL,
    request_hash    bytea NOT NULL,
    response        bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
