-- Exported messages that are empty (no words) or a single word, per source and role.
-- Tables: messages (one row per message of an exported conversation).
SELECT
    source,
    role,
    CAST(COUNT(*) AS BIGINT) AS messages,
    CAST(SUM(CASE WHEN n_words = 0 THEN 1 ELSE 0 END) AS BIGINT) AS empty,
    CAST(SUM(CASE WHEN n_words = 1 THEN 1 ELSE 0 END) AS BIGINT) AS one_word,
    CAST(SUM(CASE WHEN n_words = 0 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS empty_rate,
    CAST(SUM(CASE WHEN n_words = 1 THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*) AS one_word_rate
FROM messages
GROUP BY source, role
ORDER BY source, role
