-- The scheduling service's own projections of assignment's and referral's
-- events (never their tables), its meetings, their participants, the
-- Family Service Plan's versions and actions, and the reviews found due.
-- case_id columns name scheduling.cases without a foreign key: the rows
-- are written only for cases the service knows (cases.c), and the case
-- projection stays a table of its own that repairs may rebuild.

-- A case's state and the people around it (from assignment's events).
ALTER TABLE scheduling.cases
    ADD COLUMN status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    ADD COLUMN closed_at    timestamptz;

-- The people of a case by role: key_worker, deputy, cover, team, family.
-- person_id is a professional's id, a team member's id when unregistered,
-- or "family" for the family's contact.
CREATE TABLE scheduling.case_people (
    case_id         uuid NOT NULL,
    role            text NOT NULL CHECK (role IN ('key_worker', 'deputy', 'cover', 'team', 'family')),
    person_id       text NOT NULL,
    professional_id uuid,
    name            text,
    email           text,
    phone           text,
    PRIMARY KEY (case_id, role, person_id)
);
CREATE INDEX case_people_professional ON scheduling.case_people (professional_id)
    WHERE professional_id IS NOT NULL;
CREATE INDEX case_people_email ON scheduling.case_people (lower (email)) WHERE role = 'family';

-- Registered professionals' contact and working hours (professional_changed):
-- hours holds 14 minutes of local time, [start, end) Monday first, -1 when
-- not working that day.
CREATE TABLE scheduling.professionals (
    id              uuid PRIMARY KEY,
    region          text NOT NULL,
    name            text,
    email           text,
    phone           text,
    hours           int[],
    active          boolean NOT NULL DEFAULT true
);

-- Absences (absence_recorded, absence_cancelled).
CREATE TABLE scheduling.absences (
    id              uuid PRIMARY KEY,
    professional_id uuid NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    cancelled       boolean NOT NULL DEFAULT false
);
CREATE INDEX absences_professional ON scheduling.absences (professional_id, starts_at);

-- The family's wishes for meetings (referral.received, .information_added).
CREATE TABLE scheduling.referrals (
    referral_id     uuid PRIMARY KEY,
    region          text NOT NULL,
    location        text,
    days            text[] NOT NULL DEFAULT '{}',
    earliest        text,
    latest          text,
    revision        int NOT NULL DEFAULT 0
);

CREATE TABLE scheduling.meetings (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL,
    region          text NOT NULL,
    type            text NOT NULL CHECK (type IN ('planning', 'review', 'tac', 'cetr')),
    status          text NOT NULL CHECK (status IN ('scheduled', 'cancelled', 'held')),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL CHECK (ends_at > starts_at),
    location        text,
    sequence        int NOT NULL DEFAULT 0,
    covers          text[] NOT NULL DEFAULT '{}',
    flagged         boolean NOT NULL DEFAULT false,
    flag_reason     text,
    suggested_start timestamptz,
    suggested_end   timestamptz,
    cancel_reason   text,
    held_at         timestamptz,
    created_by      text,
    created_at      timestamptz NOT NULL DEFAULT now (),
    updated_at      timestamptz NOT NULL DEFAULT now ()
);
CREATE INDEX meetings_case ON scheduling.meetings (case_id, starts_at);

-- Who is invited: booking takes a transaction lock on each required
-- person (pg_advisory_xact_lock, sorted) before it checks their meetings,
-- so two bookings of one person can never both pass the check.
CREATE TABLE scheduling.participants (
    meeting_id      uuid NOT NULL REFERENCES scheduling.meetings (id),
    person_id       text NOT NULL,
    role            text NOT NULL,
    required        boolean NOT NULL,
    response        text NOT NULL DEFAULT 'needs_action'
                    CHECK (response IN ('needs_action', 'accepted', 'declined', 'tentative')),
    name            text,
    email           text,
    phone           text,
    responded_at    timestamptz,
    position        int NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
);
CREATE INDEX participants_person ON scheduling.participants (person_id);

-- The Family Service Plan: one version per outcome; actions carries the
-- version's actions as they were written.
CREATE TABLE scheduling.plans (
    case_id         uuid NOT NULL,
    version         int NOT NULL CHECK (version > 0),
    meeting_id      uuid NOT NULL REFERENCES scheduling.meetings (id),
    held_at         timestamptz NOT NULL,
    notes           text,
    family_views    text,
    attended        text[] NOT NULL DEFAULT '{}',
    actions         jsonb NOT NULL DEFAULT '[]',
    created_by      text,
    created_at      timestamptz NOT NULL DEFAULT now (),
    PRIMARY KEY (case_id, version)
);

CREATE TABLE scheduling.actions (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL,
    region          text NOT NULL,
    meeting_id      uuid NOT NULL REFERENCES scheduling.meetings (id),
    version         int NOT NULL,
    description     text NOT NULL,
    owner           text NOT NULL,
    owner_name      text,
    due             date NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'overdue', 'cancelled')),
    completed_at    timestamptz,
    overdue_at      timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now ()
);
CREATE INDEX actions_case ON scheduling.actions (case_id, due);
CREATE INDEX actions_open ON scheduling.actions (due) WHERE status = 'open';

-- Reviews found due by the daily sweep, one row per case, kind and due
-- date: the key that makes each review_due event happen once.
CREATE TABLE scheduling.reviews (
    case_id         uuid NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('routine', 'cetr', 'cetr_admission')),
    due             date NOT NULL,
    found_at        timestamptz NOT NULL DEFAULT now (),
    meeting_id      uuid REFERENCES scheduling.meetings (id),
    PRIMARY KEY (case_id, kind, due)
);

-- Idempotency-Key answers of the write calls (kw_idempotency).
CREATE TABLE scheduling.idempotency (
    caller_sub      text NOT NULL,
    caller_role     text NOT NULL,
    caller_region   text NOT NULL,
    key             text NOT NULL,
    method          text NOT NULL,
    request_hash    bytea NOT NULL,
    response        bytea NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller_sub, caller_role, caller_region, key)
);
CREATE INDEX idempotency_created ON scheduling.idempotency (created_at);

-- The Dynamic Support Register rating of a case's child
-- (referral.dsr_entry_created, .dsr_entry_changed): C(E)TR reviews follow
-- red, amber and blue; blue (in hospital) from rated_on is an admission.
CREATE TABLE scheduling.dsr (
    case_id         uuid PRIMARY KEY,
    rag             text NOT NULL,
    rated_on        date NOT NULL,
    admitted_on     date
);
