-- Eligibility numbers every decision on a referral (re-evaluations decide
-- the same revision again): the newest decision by number is shown.
ALTER TABLE referral.referrals ADD COLUMN decision_sequence int;
UPDATE referral.referrals SET decision_sequence = decision_revision + 1 WHERE decision_revision IS NOT NULL;
