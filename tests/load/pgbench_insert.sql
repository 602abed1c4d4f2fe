-- pgbench script for make bench: one single-row INSERT per transaction into
-- a scratch table that tests/load/bench.sh creates and drops.
\set id random(1, 1000000000)
INSERT INTO bench_scratch.t (v) VALUES (:id);
