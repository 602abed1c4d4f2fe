-- Demo professionals for the local stack (make run): fictional people at
-- fictional agencies, with example.org addresses. Idempotent.
INSERT INTO assignment.professionals (id, region, name, agency, discipline, email, phone, languages, localities, max_caseload)
VALUES
    ('7d1f0c3e-2a4b-4c1d-9e8f-000000000001', 'norfolk', 'Key Worker One', 'Norfolk Community Health', 'family_support_worker',
     'kw.one@example.org', '01603 000001', '{en}', '{NR1,NR2,NR3}', 12),
    ('7d1f0c3e-2a4b-4c1d-9e8f-000000000002', 'norfolk', 'Key Worker Two', 'Norfolk Children''s Services', 'social_worker',
     'kw.two@example.org', '01603 000002', '{en,pl}', '{NR2,NR4}', 10),
    ('7d1f0c3e-2a4b-4c1d-9e8f-000000000003', 'norfolk', 'Key Worker Three', 'Riverside School', 'special_educator',
     'kw.three@example.org', '01603 000003', '{en}', '{NR3,NR5}', 8),
    ('7d1f0c3e-2a4b-4c1d-9e8f-000000000004', 'nhse', 'Key Worker Four', 'Regional Keyworker Team', 'ld_nurse',
     'kw.four@example.org', '0113 000004', '{en}', '{LS1,LS2}', 15),
    ('7d1f0c3e-2a4b-4c1d-9e8f-000000000005', 'nhse', 'Key Worker Five', 'Regional Keyworker Team', 'psychologist',
     'kw.five@example.org', '0113 000005', '{en,ur}', '{LS6}', 15)
ON CONFLICT (id) DO NOTHING;
