-- Professionals who can be key workers, the cases opened for eligible
-- referrals, and the offers of the key worker role.
CREATE TABLE assignment.professionals (
    id              uuid PRIMARY KEY,
    region          text NOT NULL,
    name            text NOT NULL,
    agency          text NOT NULL,
    discipline      text NOT NULL,
    email           text NOT NULL,
    phone           text,
    languages       text[] NOT NULL DEFAULT '{en}',
    localities      text[] NOT NULL DEFAULT '{}',
    max_caseload    integer NOT NULL DEFAULT 12 CHECK (max_caseload >= 0),
    deputy_id       uuid REFERENCES assignment.professionals (id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX professionals_email ON assignment.professionals (region, lower (email));

CREATE TABLE assignment.cases (
    id              uuid PRIMARY KEY,
    referral_id     uuid NOT NULL UNIQUE,
    region          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('awaiting_key_worker', 'offered', 'active', 'closed')),
    key_worker_id   uuid REFERENCES assignment.professionals (id),
    opened_at       timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    close_reason    text
);
CREATE INDEX cases_key_worker ON assignment.cases (key_worker_id) WHERE status <> 'closed';

CREATE TABLE assignment.offers (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES assignment.cases (id),
    professional_id uuid NOT NULL REFERENCES assignment.professionals (id),
    status          text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX offers_case ON assignment.offers (case_id, created_at);
CREATE INDEX offers_pending ON assignment.offers (professional_id) WHERE status = 'pending';
