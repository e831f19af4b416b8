-- Exported conversations per source whose roles do not alternate properly. A conversation
-- violates when a message has the same role as the one before it (consecutive_same_role),
-- its first non-system message is not 'user' (first_not_user), or its last message is not
-- 'assistant' (last_not_assistant); violations counts conversations with any of the three.
-- Records exported only as pretraining text (one document, not a dialogue) are not counted.
-- Tables: messages (one row per message of an exported conversation).
SELECT
    source,
    CAST(COUNT(*) AS BIGINT) AS conversations,
    CAST(SUM(CASE WHEN repeated + first_bad + last_bad > 0 THEN 1 ELSE 0 END) AS BIGINT) AS violations,
    CAST(SUM(CASE WHEN repeated + first_bad + last_bad > 0 THEN 1 ELSE 0 END) AS DOUBLE)
        / COUNT(*) AS violation_rate,
    CAST(SUM(repeated) AS BIGINT) AS consecutive_same_role,
    CAST(SUM(first_bad) AS BIGINT) AS first_not_user,
    CAST(SUM(last_bad) AS BIGINT) AS last_not_assistant
FROM (
    SELECT
        source,
        CASE WHEN repeated_turns > 0 THEN 1 ELSE 0 END AS repeated,
        CASE
            WHEN first_turn IS NULL OR first_user_turn IS NULL OR first_turn <> first_user_turn
            THEN 1 ELSE 0
        END AS first_bad,
        CASE
            WHEN last_assistant_turn IS NULL OR last_turn <> last_assistant_turn
            THEN 1 ELSE 0
        END AS last_bad
    FROM (
        -- One row per conversation: turn numbers of its first non-system message, its first
        -- 'user' message, its last message and its last 'assistant' message.
        SELECT
            record_id,
            source,
            SUM(CASE WHEN role = prev_role THEN 1 ELSE 0 END) AS repeated_turns,
            MIN(CASE WHEN role <> 'system' THEN turn END) AS first_turn,
            MIN(CASE WHEN role = 'user' THEN turn END) AS first_user_turn,
            MAX(turn) AS last_turn,
            MAX(CASE WHEN role = 'assistant' THEN turn END) AS last_assistant_turn
        FROM messages
        WHERE phase <> 'pretraining'
        GROUP BY record_id, source
    ) AS per_conversation
) AS flags
GROUP BY source
ORDER BY source
