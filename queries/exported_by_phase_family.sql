-- Exported conversations per training phase and family: records, tokens (the manifest's `tokens`,
-- by the spec's [tokens] tokenizer), approximate tokens (ceil(exported characters / 4) per line) and
-- the share of all exported lines.
-- Tables: manifest (one row per exported conversation).
SELECT
    g.phase,
    g.family,
    g.records,
    g.tokens,
    g.approx_tokens,
    CAST(g.records AS DOUBLE) / t.total AS share_of_records
FROM (
    SELECT
        phase,
        family,
        CAST(COUNT(*) AS BIGINT) AS records,
        SUM(CAST(tokens AS BIGINT)) AS tokens,
        SUM(CAST(approx_tokens AS BIGINT)) AS approx_tokens
    FROM manifest
    GROUP BY phase, family
) AS g
CROSS JOIN (SELECT CAST(COUNT(*) AS BIGINT) AS total FROM manifest) AS t
ORDER BY g.phase, g.family
