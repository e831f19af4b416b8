-- Exported conversations per source, family, split and phase: records, turns, characters,
-- words and approximate tokens (approx_tokens = sum over records of ceil(n_chars / 4)).
-- Tables: manifest (one row per exported conversation).
SELECT
    source,
    family,
    split,
    phase,
    CAST(COUNT(*) AS BIGINT) AS records,
    SUM(CAST(n_turns AS BIGINT)) AS turns,
    SUM(CAST(n_chars AS BIGINT)) AS chars,
    SUM(CAST(n_words AS BIGINT)) AS words,
    CAST(SUM(CEIL(CAST(n_chars AS DOUBLE) / 4)) AS BIGINT) AS approx_tokens
FROM manifest
GROUP BY source, family, split, phase
ORDER BY source, family, split, phase
