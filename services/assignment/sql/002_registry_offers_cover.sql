-- The professionals registry with maintained counts, offers with a life
-- (reasons, rounds, a due time swept by a timer), the case's deputy, family
-- and team, absences and cover, the case timeline, and the answers kept for
-- Idempotency-Keys.

-- Counts kept in the professional's row, changed in the transaction that
-- changes what they count, under the row's lock: cases held as key worker,
-- pending offers, cases covered for an absent colleague. No professional
-- ever holds more cases (their own and covered) than their maximum.
ALTER TABLE assignment.professionals
    ADD COLUMN working_hours   bytea,
    ADD COLUMN caseload        integer NOT NULL DEFAULT 0,
    ADD COLUMN pending_offers  integer NOT NULL DEFAULT 0,
    ADD COLUMN cover_load      integer NOT NULL DEFAULT 0,
    ADD COLUMN absent          boolean NOT NULL DEFAULT false,
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
UPDATE assignment.professionals p SET
    caseload = (SELECT count(*) FROM assignment.cases c
                 WHERE c.key_worker_id = p.id AND c.status <> 'closed'),
    pending_offers = (SELECT count(*) FROM assignment.offers o
                       WHERE o.professional_id = p.id AND o.status = 'pending');
UPDATE assignment.professionals SET max_caseload = caseload WHERE caseload > max_caseload;
ALTER TABLE assignment.professionals
    ADD CONSTRAINT professionals_counts CHECK (caseload >= 0 AND pending_offers >= 0 AND cover_load >= 0),
    ADD CONSTRAINT professionals_capacity CHECK (caseload + cover_load <= max_caseload),
    ADD CONSTRAINT professionals_not_own_deputy CHECK (deputy_id IS NULL OR deputy_id <> id);
-- Matching's candidates: those with the most room, those of a discipline
-- (here), those working in a district or speaking a language
-- (professional_terms, below).
CREATE INDEX professionals_room ON assignment.professionals
    (region, (max_caseload - caseload - cover_load - pending_offers) DESC, id)
    WHERE active AND NOT absent;
CREATE INDEX professionals_discipline ON assignment.professionals
    (region, discipline, (max_caseload - caseload - cover_load - pending_offers) DESC, id)
    WHERE active AND NOT absent;
CREATE INDEX professionals_list ON assignment.professionals (region, created_at, id);
CREATE INDEX professionals_deputy ON assignment.professionals (deputy_id) WHERE deputy_id IS NOT NULL;

-- Each professional's districts and languages as terms ("district NR2",
-- "language pl") with their room and presence, kept by a trigger in the
-- transaction that changes the professional: one ordered index scan finds
-- the present professionals with the most room for a district or a
-- language, however common.
CREATE TABLE assignment.professional_terms (
    professional_id uuid NOT NULL REFERENCES assignment.professionals (id),
    region          text NOT NULL,
    term            text NOT NULL,
    room            integer NOT NULL,
    present         boolean NOT NULL,
    PRIMARY KEY (professional_id, term)
);
CREATE INDEX professional_terms_room ON assignment.professional_terms (region, term, room DESC, professional_id)
    WHERE present;
CREATE FUNCTION assignment.professional_terms_sync () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.region = OLD.region AND NEW.localities = OLD.localities
       AND NEW.languages = OLD.languages THEN
        IF (NEW.max_caseload - NEW.caseload - NEW.cover_load - NEW.pending_offers, NEW.active AND NOT NEW.absent)
           IS DISTINCT FROM (OLD.max_caseload - OLD.caseload - OLD.cover_load - OLD.pending_offers,
                             OLD.active AND NOT OLD.absent) THEN
            UPDATE assignment.professional_terms
               SET room = NEW.max_caseload - NEW.caseload - NEW.cover_load - NEW.pending_offers,
                   present = NEW.active AND NOT NEW.absent
             WHERE professional_id = NEW.id;
        END IF;
        RETURN NEW;
    END IF;
    DELETE FROM assignment.professional_terms WHERE professional_id = NEW.id;
    INSERT INTO assignment.professional_terms (professional_id, region, term, room, present)
    SELECT NEW.id, NEW.region, t.term, NEW.max_caseload - NEW.caseload - NEW.cover_load - NEW.pending_offers,
           NEW.active AND NOT NEW.absent
      FROM (SELECT 'district ' || d FROM unnest (NEW.localities) d
            UNION SELECT 'language ' || l FROM unnest (NEW.languages) l) AS t (term);
    RETURN NEW;
END
$$;
CREATE TRIGGER professionals_terms AFTER INSERT OR UPDATE ON assignment.professionals
    FOR EACH ROW EXECUTE FUNCTION assignment.professional_terms_sync ();
INSERT INTO assignment.professional_terms (professional_id, region, term, room, present)
SELECT p.id, p.region, t.term, p.max_caseload - p.caseload - p.cover_load - p.pending_offers, p.active AND NOT p.absent
  FROM assignment.professionals p,
       LATERAL (SELECT 'district ' || d FROM unnest (p.localities) d
                UNION SELECT 'language ' || l FROM unnest (p.languages) l) AS t (term)
    ON CONFLICT DO NOTHING;

-- The family named in the referral: whom a family token (its sub, the
-- member's e-mail) may act for, and who may be offered the key worker role.
CREATE TABLE assignment.case_family (
    id                  uuid PRIMARY KEY,
    case_id             uuid NOT NULL REFERENCES assignment.cases (id),
    name                text,
    relationship        text,
    email               text,
    phone               text,
    language            text,
    preferred_contact   text,
    has_parental_responsibility boolean
);
CREATE INDEX case_family_case ON assignment.case_family (case_id);
CREATE INDEX case_family_email ON assignment.case_family (lower (email)) WHERE email IS NOT NULL;

-- What matching needs about the child, kept from the decision that opened
-- the case: need flags, postcode district, language, the family's suggestion.
ALTER TABLE assignment.cases
    ADD COLUMN key_worker_kind      text CHECK (key_worker_kind IN ('professional', 'family_member')),
    ADD COLUMN key_worker_family_id uuid REFERENCES assignment.case_family (id),
    ADD COLUMN deputy_id            uuid REFERENCES assignment.professionals (id),
    ADD COLUMN round                integer NOT NULL DEFAULT 1,
    ADD COLUMN round_purpose        text NOT NULL DEFAULT 'initial'
        CHECK (round_purpose IN ('initial', 'change_request', 'replacement')),
    ADD COLUMN awaiting_reason      text CHECK (awaiting_reason IN ('no_candidate', 'refusal_limit')),
    ADD COLUMN review_flagged_at    timestamptz,
    ADD COLUMN review_sequence      integer,
    ADD COLUMN close_note           text,
    ADD COLUMN needs                text[] NOT NULL DEFAULT '{}',
    ADD COLUMN district             text,
    ADD COLUMN language             text,
    ADD COLUMN suggested_email      text,
    ADD COLUMN suggested_family     boolean NOT NULL DEFAULT false,
    ADD COLUMN updated_at           timestamptz NOT NULL DEFAULT now();
UPDATE assignment.cases SET key_worker_kind = 'professional' WHERE key_worker_id IS NOT NULL;
ALTER TABLE assignment.cases
    ADD CONSTRAINT cases_key_worker_kind CHECK (
        (key_worker_kind IS NULL AND key_worker_id IS NULL AND key_worker_family_id IS NULL)
     OR (key_worker_kind = 'professional' AND key_worker_id IS NOT NULL AND key_worker_family_id IS NULL)
     OR (key_worker_kind = 'family_member' AND key_worker_id IS NULL AND key_worker_family_id IS NOT NULL)),
    ADD CONSTRAINT cases_active_has_key_worker CHECK (status <> 'active' OR key_worker_kind IS NOT NULL);
CREATE INDEX cases_list ON assignment.cases (region, opened_at, id);
CREATE INDEX cases_deputy ON assignment.cases (deputy_id) WHERE status <> 'closed' AND deputy_id IS NOT NULL;
CREATE INDEX cases_awaiting ON assignment.cases (region, opened_at, id)
    WHERE status <> 'closed' AND (awaiting_reason IS NOT NULL OR review_flagged_at IS NOT NULL);

-- Offers: to a professional or to a family member; withdrawn when replaced
-- by a coordinator's offer or when the case closes. One pending offer a
-- case at most; expires_at is the due time the expiry timer sweeps.
ALTER TABLE assignment.offers DROP CONSTRAINT offers_status_check;
ALTER TABLE assignment.offers ALTER COLUMN professional_id DROP NOT NULL;
ALTER TABLE assignment.offers
    ADD CONSTRAINT offers_status_check
        CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
    ADD COLUMN kind              text NOT NULL DEFAULT 'professional'
        CHECK (kind IN ('professional', 'family_member')),
    ADD COLUMN family_member_id  uuid REFERENCES assignment.case_family (id),
    ADD COLUMN score             integer,
    ADD COLUMN reasons           text[] NOT NULL DEFAULT '{}',
    ADD COLUMN reason            text,
    ADD COLUMN decided_at        timestamptz,
    ADD COLUMN decided_by        text,
    ADD COLUMN round             integer NOT NULL DEFAULT 1,
    ADD COLUMN purpose           text NOT NULL DEFAULT 'initial'
        CHECK (purpose IN ('initial', 'change_request', 'replacement', 'override')),
    ADD CONSTRAINT offers_offeree CHECK (
        (kind = 'professional' AND professional_id IS NOT NULL AND family_member_id IS NULL)
     OR (kind = 'family_member' AND professional_id IS NULL AND family_member_id IS NOT NULL));
CREATE UNIQUE INDEX offers_one_pending ON assignment.offers (case_id) WHERE status = 'pending';
CREATE INDEX offers_due ON assignment.offers (expires_at) WHERE status = 'pending';
DROP INDEX assignment.offers_pending;
CREATE INDEX offers_professional ON assignment.offers (professional_id, status);

-- The team around the child: professionals named in the referral (matched
-- to registered professionals by e-mail) and those a coordinator adds.
CREATE TABLE assignment.team_members (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES assignment.cases (id),
    professional_id uuid REFERENCES assignment.professionals (id),
    name            text NOT NULL,
    agency          text,
    discipline      text,
    email           text,
    phone           text,
    source          text NOT NULL CHECK (source IN ('referral', 'coordinator')),
    added_at        timestamptz NOT NULL DEFAULT now(),
    removed_at      timestamptz
);
CREATE INDEX team_members_case ON assignment.team_members (case_id) WHERE removed_at IS NULL;
CREATE INDEX team_members_professional ON assignment.team_members (professional_id)
    WHERE removed_at IS NULL AND professional_id IS NOT NULL;
CREATE UNIQUE INDEX team_members_one_email ON assignment.team_members (case_id, lower (email))
    WHERE removed_at IS NULL AND email IS NOT NULL;
CREATE UNIQUE INDEX team_members_one_professional ON assignment.team_members (case_id, professional_id)
    WHERE removed_at IS NULL AND professional_id IS NOT NULL;

-- Absences, with the due times the absence timer sweeps: a scheduled
-- absence starts at starts_at, an active one ends at ends_at.
CREATE TABLE assignment.absences (
    id              uuid PRIMARY KEY,
    professional_id uuid NOT NULL REFERENCES assignment.professionals (id),
    region          text NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    reason          text,
    status          text NOT NULL CHECK (status IN ('scheduled', 'active', 'ended', 'cancelled')),
    long_absence    boolean NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL,
    cancelled_at    timestamptz,
    CHECK (ends_at > starts_at)
);
CREATE INDEX absences_professional ON assignment.absences (professional_id, starts_at);
CREATE INDEX absences_start_due ON assignment.absences (starts_at) WHERE status = 'scheduled';
CREATE INDEX absences_end_due ON assignment.absences (ends_at) WHERE status = 'active';

-- Cover of an absent key worker's case: by a colleague with room, or by
-- nobody (overflow: the coordinator covers). One active cover a case.
CREATE TABLE assignment.covers (
    id              uuid PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES assignment.cases (id),
    absence_id      uuid NOT NULL REFERENCES assignment.absences (id),
    absent_id       uuid NOT NULL REFERENCES assignment.professionals (id),
    cover_id        uuid REFERENCES assignment.professionals (id),
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'ended')),
    ended_at        timestamptz,
    ended_because   text
);
CREATE UNIQUE INDEX covers_one_active ON assignment.covers (case_id) WHERE status = 'active';
CREATE INDEX covers_absence ON assignment.covers (absence_id);
CREATE INDEX covers_cover ON assignment.covers (cover_id) WHERE status = 'active' AND cover_id IS NOT NULL;

-- The case timeline: one row for every event about the case.
CREATE TABLE assignment.timeline (
    id              bigserial PRIMARY KEY,
    case_id         uuid NOT NULL REFERENCES assignment.cases (id),
    at              timestamptz NOT NULL DEFAULT now(),
    kind            text NOT NULL,
    actor           text,
    actor_role      text,
    detail          text NOT NULL,
    professional_id uuid,
    offer_id        uuid,
    event_id        uuid
);
CREATE INDEX timeline_case ON assignment.timeline (case_id, id);

-- Idempotency-Key answers of the write calls (kw_idempotency).
CREATE TABLE assignment.idempotency (
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
CREATE INDEX idempotency_created ON assignment.idempotency (created_at);
