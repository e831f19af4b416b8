-- Exported conversations per source, family, split and phase: records, turns, characters,
-- words, tokens (the manifest's `tokens`, by the spec's [tokens] tokenizer, o200k_base by default)
-- and approximate tokens (approx_tokens: ceil(exported characters / 4) per line).
-- Tables: manifest (one row per exported conversation).
SELECT
    source,
    family,
    split,
    phase,
    CAST(COUNT(*) AS BIGINT) AS records,
    SUM(CAST(n_turns AS BIGINT)) AS turns,
    SUM(CAST(n_chars AS BIGINT)) AS chars,
    SUM(CAST(n_words AS BIGINT)) AS words,
    SUM(CAST(tokens AS BIGINT)) AS tokens,
    SUM(CAST(approx_tokens AS BIGINT)) AS approx_tokens
FROM manifest
GROUP BY source, family, split, phase
ORDER BY source, family, split, phase
