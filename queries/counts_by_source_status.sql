-- Input records per source and final ledger status (one row per pair that occurs).
-- Tables: ledger (one row per input record).
SELECT source, status, CAST(COUNT(*) AS BIGINT) AS records
FROM ledger
GROUP BY source, status
ORDER BY source, status
