-- Share of the exported conversations that each family contributes.
-- Tables: manifest (one row per exported conversation).
SELECT
    g.family,
    g.records,
    CAST(g.records AS DOUBLE) / t.total AS share
FROM (
    SELECT family, CAST(COUNT(*) AS BIGINT) AS records
    FROM manifest
    GROUP BY family
) AS g
CROSS JOIN (SELECT CAST(COUNT(*) AS BIGINT) AS total FROM manifest) AS t
ORDER BY g.family
