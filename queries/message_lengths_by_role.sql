-- Length distribution of exported messages per role, in characters (Unicode code points)
-- and whitespace-separated words. Percentiles are QUANTILE_CONT (linear interpolation).
-- Tables: messages (one row per message of an exported conversation).
SELECT
    role,
    CAST(COUNT(*) AS BIGINT) AS messages,
    CAST(QUANTILE_CONT(n_chars, 0.01) AS DOUBLE) AS chars_p1,
    CAST(QUANTILE_CONT(n_chars, 0.05) AS DOUBLE) AS chars_p5,
    CAST(QUANTILE_CONT(n_chars, 0.5) AS DOUBLE) AS chars_p50,
    CAST(QUANTILE_CONT(n_chars, 0.95) AS DOUBLE) AS chars_p95,
    CAST(QUANTILE_CONT(n_chars, 0.99) AS DOUBLE) AS chars_p99,
    CAST(AVG(n_chars) AS DOUBLE) AS chars_mean,
    CAST(QUANTILE_CONT(n_words, 0.01) AS DOUBLE) AS words_p1,
    CAST(QUANTILE_CONT(n_words, 0.05) AS DOUBLE) AS words_p5,
    CAST(QUANTILE_CONT(n_words, 0.5) AS DOUBLE) AS words_p50,
    CAST(QUANTILE_CONT(n_words, 0.95) AS DOUBLE) AS words_p95,
    CAST(QUANTILE_CONT(n_words, 0.99) AS DOUBLE) AS words_p99,
    CAST(AVG(n_words) AS DOUBLE) AS words_mean
FROM messages
GROUP BY role
ORDER BY role
