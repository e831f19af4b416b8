-- PII findings per source and kind before redaction: total findings and the number of
-- records with at least one finding of the kind. Kinds are the pii_<kind> columns.
-- Tables: conversations (one row per loaded record; pii_<kind> = findings before redaction).
SELECT source, kind, findings, records_with_kind
FROM (
    SELECT
        source,
        'email' AS kind,
        SUM(CAST(pii_email AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_email > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'url' AS kind,
        SUM(CAST(pii_url AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_url > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'iban' AS kind,
        SUM(CAST(pii_iban AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_iban > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'credit_card' AS kind,
        SUM(CAST(pii_credit_card AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_credit_card > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'ssn' AS kind,
        SUM(CAST(pii_ssn AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_ssn > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'record_number' AS kind,
        SUM(CAST(pii_record_number AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_record_number > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'date_of_birth' AS kind,
        SUM(CAST(pii_date_of_birth AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_date_of_birth > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'phone' AS kind,
        SUM(CAST(pii_phone AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_phone > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'ip_address' AS kind,
        SUM(CAST(pii_ip_address AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_ip_address > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'street_address' AS kind,
        SUM(CAST(pii_street_address AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_street_address > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'zip_code' AS kind,
        SUM(CAST(pii_zip_code AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_zip_code > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'age_over_89' AS kind,
        SUM(CAST(pii_age_over_89 AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_age_over_89 > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'handle' AS kind,
        SUM(CAST(pii_handle AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_handle > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
    UNION ALL
    SELECT
        source,
        'person' AS kind,
        SUM(CAST(pii_person AS BIGINT)) AS findings,
        CAST(SUM(CASE WHEN pii_person > 0 THEN 1 ELSE 0 END) AS BIGINT) AS records_with_kind
    FROM conversations
    GROUP BY source
) AS by_kind
ORDER BY source, kind
