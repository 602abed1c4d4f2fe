-- What a referral costs the database: statistics that fit the registry,
-- and no check that the writing transaction already guarantees.

-- The registry's statistics taken again at once after an import (import.c):
-- matching's statements are planned once a connection, and a plan made
-- while the planner knows nothing of a freshly loaded registry reads every
-- professional of the region for each case instead of the few with the
-- most room. The service's role does not own the tables, so it asks the
-- owner's function.
CREATE FUNCTION assignment.registry_analyze () RETURNS void LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    ANALYZE assignment.professionals;
    ANALYZE assignment.professional_terms;
END
$$;

-- Rows that name their case are written only by a transaction that has
-- just inserted the case or read it (a case_row_t: access.c), and no case
-- is ever deleted: the timeline, the team and the offers keep no
-- foreign key to the case, whose check read and locked the case row once
-- for every row written. Likewise an offer's professional is the one the
-- same statement counts the offer against (offers.c: no professional, no
-- offer), and professionals are never deleted; a professional's terms are
-- written only by the registry's trigger, for the row it fires on, and by
-- an offer's statements, which change their room alone.
ALTER TABLE assignment.timeline DROP CONSTRAINT timeline_case_id_fkey;
ALTER TABLE assignment.team_members DROP CONSTRAINT team_members_case_id_fkey;
ALTER TABLE assignment.offers DROP CONSTRAINT offers_case_id_fkey;
ALTER TABLE assignment.offers DROP CONSTRAINT offers_professional_id_fkey;
ALTER TABLE assignment.professional_terms DROP CONSTRAINT professional_terms_professional_id_fkey;

-- The districts' and languages' room follows the professional's: the
-- trigger fires for the columns other than the count of pending offers,
-- which only an offer's start and end change, and their statements set
-- the room of the professional's terms themselves (offers.c), without a
-- trigger call for every offer.
DROP TRIGGER professionals_terms ON assignment.professionals;
CREATE TRIGGER professionals_terms
    AFTER INSERT OR UPDATE OF region, localities, languages, max_caseload, caseload, cover_load, active, absent
    ON assignment.professionals FOR EACH ROW EXECUTE FUNCTION assignment.professional_terms_sync ();
