-- The family in the referral's order: members are inserted in that order
-- (team.c), and read by position, so the events' family lists them as the
-- referral did and "the first member with an e-mail" is the referral's
-- (their ids are random).
ALTER TABLE assignment.case_family ADD COLUMN position bigint GENERATED ALWAYS AS IDENTITY;
