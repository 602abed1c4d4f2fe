-- A case is in cases_key_worker once it has a key worker: a case being
-- opened (none yet) writes one index entry less. Every reader of the index
-- names a key worker (key_worker_id = ..., which implies IS NOT NULL) and
-- an open case (status <> 'closed', or a status that implies it).
DROP INDEX assignment.cases_key_worker;
CREATE INDEX cases_key_worker ON assignment.cases (key_worker_id)
    WHERE status <> 'closed' AND key_worker_id IS NOT NULL;
