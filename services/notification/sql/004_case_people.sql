-- The people of each open case, for the events that name the case only
-- (a transition due, a DSR re-rating): the last
-- assignment.key_worker_changed of the case as it came (its key worker,
-- deputy, team and family), gone when the case closes. The service's own
-- projection: it never reads another service's tables.
CREATE TABLE notification.case_people (
    case_id     text PRIMARY KEY,
    region      text NOT NULL,
    people      bytea NOT NULL,         -- KeyWorkerChanged, packed
    updated_at  timestamptz NOT NULL DEFAULT now()
);
