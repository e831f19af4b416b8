-- Near-duplicate clusters by size bucket ("2", "3", "4-5", "6-10", ">10"; the bucket names
-- sort in size order). A cluster's size is its distinct records: the representative, the
-- removed members and any members kept because the cluster was too large (the table has a
-- row for each; a representative without its own row is still counted). Values: clusters,
-- members (records in those clusters, representatives included) and removed (members
-- removed as near duplicates, i.e. rows with a similarity).
-- Tables: clusters (dedup_clusters: one row per cluster member).
SELECT
    size_bucket,
    CAST(COUNT(*) AS BIGINT) AS clusters,
    CAST(SUM(size) AS BIGINT) AS members,
    CAST(SUM(removed) AS BIGINT) AS removed
FROM (
    SELECT
        CASE
            WHEN size <= 2 THEN '2'
            WHEN size = 3 THEN '3'
            WHEN size <= 5 THEN '4-5'
            WHEN size <= 10 THEN '6-10'
            ELSE '>10'
        END AS size_bucket,
        size,
        removed
    FROM (
        SELECT
            cluster,
            CAST(COUNT(DISTINCT member) AS BIGINT)
                + CASE WHEN SUM(CASE WHEN member = representative THEN 1 ELSE 0 END) = 0 THEN 1 ELSE 0 END
                AS size,
            CAST(SUM(CASE WHEN similarity IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS removed
        FROM clusters
        GROUP BY cluster
    ) AS per_cluster
) AS bucketed
GROUP BY size_bucket
ORDER BY size_bucket
