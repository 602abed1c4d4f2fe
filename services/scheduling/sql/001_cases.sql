-- The scheduling service's projection of open cases (from
-- assignment.case_opened): the cases meetings and plans will belong to.
CREATE TABLE scheduling.cases (
    case_id         uuid PRIMARY KEY,
    referral_id     uuid NOT NULL,
    region          text NOT NULL,
    opened_at       timestamptz NOT NULL
);
