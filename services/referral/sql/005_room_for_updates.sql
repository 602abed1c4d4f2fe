-- A referral's row is written once and changed twice soon after (its
-- decision, then its case): room left in each page lets those changes stay
-- on the page (no new index entries when no indexed column changes).
ALTER TABLE referral.referrals SET (fillfactor = 70);
