-- Exported conversations per split and family, with their turns and characters.
-- Tables: manifest (one row per exported conversation).
SELECT split, family, COUNT(*) AS records, SUM(n_turns) AS turns, SUM(n_chars) AS chars
FROM manifest
GROUP BY split, family
ORDER BY split, family
