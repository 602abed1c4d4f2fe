-- Cluster bootstrap, run by the database owner (superuser) before the
-- services start; idempotent. Creates one login role and one schema per
-- service, and the shared bus.* (event log, offsets, migrations) and audit.*
-- schemas. Each service applies its own schema's migrations at start.
\set ON_ERROR_STOP on

DO $$
DECLARE
    svc text;
BEGIN
    FOREACH svc IN ARRAY ARRAY['referral', 'eligibility', 'assignment', 'scheduling', 'notification', 'gateway'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kw_' || svc) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', 'kw_' || svc);
        END IF;
        IF svc <> 'gateway' THEN
            EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, 'kw_' || svc);
            EXECUTE format('ALTER ROLE %I SET search_path = %I, bus', 'kw_' || svc, svc);
        END IF;
    END LOOP;
END
$$;

CREATE SCHEMA IF NOT EXISTS bus;
CREATE SCHEMA IF NOT EXISTS audit;

-- The durable event log: every event of every producer, in the producer's
-- transaction. seq is given by the producer's relay (gapless per producer).
CREATE TABLE IF NOT EXISTS bus.outbox (
    id              bigserial PRIMARY KEY,
    producer        text NOT NULL,
    seq             bigint,
    event_id        uuid NOT NULL UNIQUE,
    type            text NOT NULL,
    region          text NOT NULL DEFAULT '',
    correlation_id  text NOT NULL DEFAULT '',
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    sequenced_at    timestamptz,
    payload         bytea NOT NULL,
    UNIQUE (producer, seq)
);
-- Events are numbered when written (kw_outbox_insert); no row waits for a seq.
DROP INDEX IF EXISTS bus.outbox_unsequenced;

-- The last sequence number given per producer, advanced in each event's transaction.
CREATE TABLE IF NOT EXISTS bus.producers (
    producer        text PRIMARY KEY,
    last_seq        bigint NOT NULL DEFAULT 0
);

-- Consumer offsets: the last seq of each producer applied by each consumer.
CREATE TABLE IF NOT EXISTS bus.offsets (
    consumer        text NOT NULL,
    producer        text NOT NULL,
    last_seq        bigint NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, producer)
);

-- Applied schema migrations per service.
CREATE TABLE IF NOT EXISTS bus.migrations (
    service         text NOT NULL,
    version         integer NOT NULL,
    name            text NOT NULL,
    applied_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, version)
);

-- Who read or changed which record (written by the gateway and services).
CREATE TABLE IF NOT EXISTS audit.events (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    actor           text NOT NULL,
    role            text NOT NULL,
    region          text NOT NULL,
    action          text NOT NULL,
    record_type     text NOT NULL,
    record_id       text NOT NULL,
    outcome         text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_events_record ON audit.events (record_id, at);

-- Service roles: read every event, write only their own producer's rows
-- and their own offsets (row-level security), append-only audit.
DO $$
DECLARE
    svc text;
BEGIN
    FOREACH svc IN ARRAY ARRAY['referral', 'eligibility', 'assignment', 'scheduling', 'notification', 'gateway'] LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA bus, audit TO %I', 'kw_' || svc);
        EXECUTE format('GRANT SELECT, INSERT ON bus.outbox TO %I', 'kw_' || svc);
        EXECUTE format('GRANT USAGE ON SEQUENCE bus.outbox_id_seq TO %I', 'kw_' || svc);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON bus.producers, bus.offsets TO %I', 'kw_' || svc);
        EXECUTE format('GRANT SELECT, INSERT ON bus.migrations TO %I', 'kw_' || svc);
        EXECUTE format('GRANT INSERT ON audit.events TO %I', 'kw_' || svc);
        EXECUTE format('GRANT USAGE ON SEQUENCE audit.events_id_seq TO %I', 'kw_' || svc);
    END LOOP;
END
$$;

ALTER TABLE bus.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE bus.producers ENABLE ROW LEVEL SECURITY;
ALTER TABLE bus.offsets ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbox_read ON bus.outbox;
DROP POLICY IF EXISTS outbox_own ON bus.outbox;
DROP POLICY IF EXISTS outbox_own_update ON bus.outbox;
CREATE POLICY outbox_read ON bus.outbox FOR SELECT USING (true);
CREATE POLICY outbox_own ON bus.outbox FOR INSERT WITH CHECK ('kw_' || producer = current_user);
DROP POLICY IF EXISTS producers_own ON bus.producers;
CREATE POLICY producers_own ON bus.producers USING ('kw_' || producer = current_user);
DROP POLICY IF EXISTS offsets_own ON bus.offsets;
CREATE POLICY offsets_own ON bus.offsets USING ('kw_' || consumer = current_user);
