-- Dominant Unicode script of exported messages per source ('none' when a message has no
-- letters), with each script's share of the source's messages.
-- Tables: messages (one row per message of an exported conversation).
SELECT
    g.source,
    g.script,
    g.messages,
    CAST(g.messages AS DOUBLE) / t.total AS share
FROM (
    SELECT source, script, CAST(COUNT(*) AS BIGINT) AS messages
    FROM messages
    GROUP BY source, script
) AS g
INNER JOIN (
    SELECT source, CAST(COUNT(*) AS BIGINT) AS total
    FROM messages
    GROUP BY source
) AS t ON g.source = t.source
ORDER BY g.source, g.script
