-- Keep a referral's revision (referral.received, information_added): an
-- older revision arriving late does not replace a newer one. A function,
-- so that a statement reading or writing other rows can keep the revision
-- in the same round trip (decide.c); PL/pgSQL keeps its plan per session.
CREATE FUNCTION eligibility.keep_revision (p_referral uuid, p_region text, p_nhs_number text,
                                           p_revision int, p_body bytea, p_date_of_birth date)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO eligibility.referrals AS r (referral_id, region, nhs_number, revision, body, date_of_birth)
    VALUES (p_referral, p_region, p_nhs_number, p_revision, p_body, p_date_of_birth)
    ON CONFLICT (referral_id) DO UPDATE
    SET revision = EXCLUDED.revision, body = EXCLUDED.body, date_of_birth = EXCLUDED.date_of_birth,
        updated_at = now ()
    WHERE r.revision <= EXCLUDED.revision;
END
$$;
