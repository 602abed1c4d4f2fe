-- Lists read a region's referrals in the order they came (region, received_at,
-- id) and filter by status as they go; the index by status was never the
-- cheaper path, and every referral paid for it twice (its insert and its
-- decision, which changes the status and so is never a HOT update).
DROP INDEX referral.referrals_region_status;
