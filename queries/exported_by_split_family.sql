-- Exported conversations per split and family, with their turns and characters.
-- Tables: manifest (one row per exported conversation).
SELECT split, family, CAST(COUNT(*) AS BIGINT) AS records,
    SUM(CAST(n_turns AS BIGINT)) AS turns, SUM(CAST(n_chars AS BIGINT)) AS chars
FROM manifest
GROUP BY split, family
ORDER BY split, family
