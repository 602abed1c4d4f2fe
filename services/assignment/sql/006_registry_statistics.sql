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
