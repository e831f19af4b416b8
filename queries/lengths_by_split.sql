-- Size of the exported conversations per split, for drift checks between releases.
-- Percentiles are QUANTILE_CONT (linear interpolation).
-- Tables: manifest (one row per exported conversation).
SELECT
    split,
    CAST(COUNT(*) AS BIGINT) AS records,
    CAST(QUANTILE_CONT(n_chars, 0.5) AS DOUBLE) AS chars_p50,
    CAST(AVG(n_chars) AS DOUBLE) AS chars_mean,
    CAST(QUANTILE_CONT(n_turns, 0.5) AS DOUBLE) AS turns_p50,
    CAST(AVG(n_turns) AS DOUBLE) AS turns_mean
FROM manifest
GROUP BY split
ORDER BY split
