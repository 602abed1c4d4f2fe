-- No query reads decisions by region and outcome (re-evaluation finds a
-- region's referrals in eligibility.referrals and each one's newest
-- decision by referral): the index only cost every decision an entry.
DROP INDEX eligibility.decisions_region_outcome;
