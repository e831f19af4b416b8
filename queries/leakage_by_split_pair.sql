-- Train/eval leakage pairs per split pair and kind of match: pairs found and distinct
-- records on the b side.
-- Tables: leakage_pairs (one row per leaking pair: record_a in split_a, record_b in split_b).
SELECT
    split_a,
    split_b,
    kind,
    CAST(COUNT(*) AS BIGINT) AS pairs,
    CAST(COUNT(DISTINCT record_b) AS BIGINT) AS records_b
FROM leakage_pairs
GROUP BY split_a, split_b, kind
ORDER BY split_a, split_b, kind
