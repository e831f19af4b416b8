-- Distribution of turns (messages) per exported conversation, per source.
-- Percentiles are QUANTILE_CONT (linear interpolation between the closest ranks).
-- Tables: manifest (one row per exported conversation).
SELECT
    source,
    CAST(COUNT(*) AS BIGINT) AS conversations,
    CAST(MIN(n_turns) AS BIGINT) AS min,
    CAST(QUANTILE_CONT(n_turns, 0.01) AS DOUBLE) AS p1,
    CAST(QUANTILE_CONT(n_turns, 0.05) AS DOUBLE) AS p5,
    CAST(QUANTILE_CONT(n_turns, 0.5) AS DOUBLE) AS p50,
    CAST(QUANTILE_CONT(n_turns, 0.95) AS DOUBLE) AS p95,
    CAST(QUANTILE_CONT(n_turns, 0.99) AS DOUBLE) AS p99,
    CAST(MAX(n_turns) AS BIGINT) AS max,
    CAST(AVG(n_turns) AS DOUBLE) AS mean
FROM manifest
GROUP BY source
ORDER BY source
