-- A family member's postal address from the referral (its lines separated
-- by LF), carried in the events' family for letters (docs/events.md).
ALTER TABLE assignment.case_family ADD COLUMN address text;
