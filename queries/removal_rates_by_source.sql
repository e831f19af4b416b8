-- Input records per source by final ledger status, and the removal rates: rejected,
-- dedup (exact + near duplicates), leakage, pii_dropped and unrouted over input records.
-- Tables: ledger (one row per input record).
SELECT
    source,
    input,
    exported,
    rejected,
    duplicate,
    near_duplicate,
    leakage,
    pii_dropped,
    unrouted,
    CAST(exported AS DOUBLE) / input AS exported_rate,
    CAST(rejected AS DOUBLE) / input AS rejected_rate,
    CAST(duplicate + near_duplicate AS DOUBLE) / input AS dedup_rate,
    CAST(leakage AS DOUBLE) / input AS leakage_rate,
    CAST(pii_dropped AS DOUBLE) / input AS pii_dropped_rate,
    CAST(unrouted AS DOUBLE) / input AS unrouted_rate
FROM (
    SELECT
        source,
        CAST(COUNT(*) AS BIGINT) AS input,
        CAST(SUM(CASE WHEN status = 'exported' THEN 1 ELSE 0 END) AS BIGINT) AS exported,
        CAST(SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS BIGINT) AS rejected,
        CAST(SUM(CASE WHEN status = 'duplicate' THEN 1 ELSE 0 END) AS BIGINT) AS duplicate,
        CAST(SUM(CASE WHEN status = 'near_duplicate' THEN 1 ELSE 0 END) AS BIGINT) AS near_duplicate,
        CAST(SUM(CASE WHEN status = 'leakage' THEN 1 ELSE 0 END) AS BIGINT) AS leakage,
        CAST(SUM(CASE WHEN status = 'pii_dropped' THEN 1 ELSE 0 END) AS BIGINT) AS pii_dropped,
        CAST(SUM(CASE WHEN status = 'unrouted' THEN 1 ELSE 0 END) AS BIGINT) AS unrouted
    FROM ledger
    GROUP BY source
) AS by_source
ORDER BY source
