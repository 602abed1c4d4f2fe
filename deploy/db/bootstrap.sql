-- Cluster bootstrap, run by the database superuser before the services
-- start; idempotent (docs/security.md, "Database roles"). Creates:
--   kw_owner          owns every service schema and what its migrations make;
--                     used only by the one-shot `<service> --migrate` step
--   kw_<service>      the runtime login of each service: owns nothing, runs no
--                     DDL, gets exactly the DML it needs (default privileges
--                     cover tables that later migrations add)
--   kw_audit_reader   reads audit.events and nothing else (GET /v1/audit)
-- and the shared bus.* (event log, offsets, subscriptions, migrations) and
-- audit.* schemas, which stay the superuser's. Passwords are set by the
-- deployment (SCRAM), never here.
\set ON_ERROR_STOP on

DO $$
DECLARE
    svc text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kw_owner') THEN
        CREATE ROLE kw_owner LOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kw_audit_reader') THEN
        CREATE ROLE kw_audit_reader LOGIN;
    END IF;
    FOREACH svc IN ARRAY ARRAY['referral', 'eligibility', 'assignment', 'scheduling', 'notification', 'gateway'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kw_' || svc) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', 'kw_' || svc);
        END IF;
        IF svc <> 'gateway' THEN
            EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION kw_owner', svc);
            EXECUTE format('ALTER ROLE %I SET search_path = %I, bus', 'kw_' || svc, svc);
        END IF;
        -- A database made before the owner role existed: what the service
        -- role owned (its schema, tables, sequences) passes to the owner.
        EXECUTE format('REASSIGN OWNED BY %I TO kw_owner', 'kw_' || svc);
    END LOOP;
END
$$;
-- Nobody but the superuser creates schemas or objects outside them.
REVOKE CREATE ON DATABASE kw FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS bus;
CREATE SCHEMA IF NOT EXISTS audit;

-- The durable event log: every event of every producer, in the producer's
-- transaction. seq is given by the producer's relay (gapless per producer).
CREATE TABLE IF NOT EXISTS bus.outbox (
    producer        text NOT NULL,
    seq             bigint NOT NULL,
    event_id        uuid NOT NULL UNIQUE,
    type            text NOT NULL,
    region          text NOT NULL DEFAULT '',
    correlation_id  text NOT NULL DEFAULT '',
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    sequenced_at    timestamptz,
    payload         bytea NOT NULL,
    PRIMARY KEY (producer, seq)
);
-- (producer, seq) is the key: a cluster made when rows had a bigserial id
-- loses it (no nextval, no second index an event), the unique constraint
-- on (producer, seq) becoming the primary key (one transaction).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = 'bus' AND table_name = 'outbox' AND column_name = 'id') THEN
        ALTER TABLE bus.outbox DROP CONSTRAINT outbox_pkey;
        ALTER TABLE bus.outbox DROP COLUMN id;
        ALTER TABLE bus.outbox DROP CONSTRAINT outbox_producer_seq_key;
        ALTER TABLE bus.outbox ADD PRIMARY KEY (producer, seq);
    END IF;
END
$$;
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

-- Which producers each consumer applies: written by the consumer's
-- `--migrate` step (from its event table), read by the outbox policy.
CREATE TABLE IF NOT EXISTS bus.subscriptions (
    consumer        text NOT NULL,
    producer        text NOT NULL,
    PRIMARY KEY (consumer, producer)
);

-- Applied schema migrations per service (written by kw_owner only).
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
-- GET /v1/audit: a region's rows in the order written.
CREATE INDEX IF NOT EXISTS audit_events_region ON audit.events (region, id);

-- Privileges. The owner migrates: it records migrations and subscriptions.
GRANT USAGE ON SCHEMA bus TO kw_owner;
GRANT SELECT, INSERT ON bus.migrations TO kw_owner;
GRANT SELECT, INSERT, DELETE ON bus.subscriptions TO kw_owner;
-- The audit reader reads audit rows, nothing else.
GRANT USAGE ON SCHEMA audit TO kw_audit_reader;
GRANT SELECT ON audit.events TO kw_audit_reader;

-- A runtime role: DML in its own schema (now and for every table a later
-- migration adds), its own producer's outbox rows and counter, its own
-- offsets, the events of the producers it consumes, and audit rows it may
-- only append.
DO $$
DECLARE
    svc text;
    role text;
BEGIN
    FOREACH svc IN ARRAY ARRAY['referral', 'eligibility', 'assignment', 'scheduling', 'notification', 'gateway'] LOOP
        role := 'kw_' || svc;
        IF svc <> 'gateway' THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', svc, role);
            EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM %I', svc, role);
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', svc, role);
            EXECUTE format('GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA %I TO %I', svc, role);
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE kw_owner IN SCHEMA %I'
                           ' GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', svc, role);
            EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE kw_owner IN SCHEMA %I'
                           ' GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO %I', svc, role);
        END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA bus, audit TO %I', role);
        EXECUTE format('REVOKE ALL ON bus.outbox, bus.producers, bus.offsets, bus.migrations,'
                       ' bus.subscriptions, audit.events FROM %I', role);
        EXECUTE format('GRANT SELECT, INSERT, DELETE ON bus.outbox TO %I', role);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE ON bus.producers, bus.offsets TO %I', role);
        EXECUTE format('GRANT SELECT ON bus.migrations, bus.subscriptions TO %I', role);
        EXECUTE format('GRANT INSERT ON audit.events TO %I', role);
        EXECUTE format('GRANT USAGE ON SEQUENCE audit.events_id_seq TO %I', role);
    END LOOP;
END
$$;

-- Row-level security: a role writes only its own producer's events and
-- counter and its own offsets; it reads its own events and those of the
-- producers it consumes (bus.subscriptions), never another's; it deletes
-- only its own events that every consumer has passed (pruning).
ALTER TABLE bus.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE bus.producers ENABLE ROW LEVEL SECURITY;
ALTER TABLE bus.offsets ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS outbox_read ON bus.outbox;
DROP POLICY IF EXISTS outbox_own ON bus.outbox;
DROP POLICY IF EXISTS outbox_own_update ON bus.outbox;
DROP POLICY IF EXISTS outbox_prune ON bus.outbox;
CREATE POLICY outbox_read ON bus.outbox FOR SELECT USING (
    'kw_' || producer = current_user
    OR EXISTS (SELECT 1 FROM bus.subscriptions s
               WHERE s.producer = outbox.producer AND 'kw_' || s.consumer = current_user));
CREATE POLICY outbox_own ON bus.outbox FOR INSERT WITH CHECK ('kw_' || producer = current_user);
CREATE POLICY outbox_prune ON bus.outbox FOR DELETE USING (
    'kw_' || producer = current_user
    AND seq <= ALL (SELECT coalesce(o.last_seq, 0) FROM bus.subscriptions s
                    LEFT JOIN bus.offsets o ON o.consumer = s.consumer AND o.producer = s.producer
                    WHERE s.producer = outbox.producer));
DROP POLICY IF EXISTS producers_own ON bus.producers;
CREATE POLICY producers_own ON bus.producers USING ('kw_' || producer = current_user);
DROP POLICY IF EXISTS offsets_own ON bus.offsets;
CREATE POLICY offsets_own ON bus.offsets USING ('kw_' || consumer = current_user);
-- A producer sees how far its consumers are (to prune what all have passed).
DROP POLICY IF EXISTS offsets_producer ON bus.offsets;
CREATE POLICY offsets_producer ON bus.offsets FOR SELECT USING ('kw_' || producer = current_user);
