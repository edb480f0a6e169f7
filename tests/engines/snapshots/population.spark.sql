-- pending
SELECT
  record_id,
  subject_id,
  occurred_at,
  rule,
  points,
  expires_on,
  case_ref,
  cap,
  cap_max
FROM judged_all
WHERE
  reason0 IS NULL AND (
    NOT case_ref IS NULL OR NOT cap IS NULL
  );

-- counted
WITH m AS (
  SELECT
    record_id,
    subject_id,
    occurred_at,
    rule,
    points,
    expires_on,
    cap,
    cap_max,
    CASE
      WHEN ROW_NUMBER() OVER (
        PARTITION BY subject_id, case_ref
        ORDER BY ABS(points) DESC, occurred_at NULLS LAST, record_id NULLS LAST
      ) > 1
      THEN 'merged'
    END AS reason
  FROM pending
  WHERE
    NOT case_ref IS NULL
), c AS (
  SELECT
    record_id,
    subject_id,
    occurred_at,
    rule,
    points,
    expires_on,
    cap,
    cap_max,
    CAST(NULL AS STRING) AS reason
  FROM pending
  WHERE
    case_ref IS NULL
  UNION ALL
  SELECT
    *
  FROM m
  WHERE
    reason IS NULL AND NOT cap IS NULL
)
SELECT
  record_id,
  subject_id,
  occurred_at,
  rule,
  points,
  expires_on,
  reason0 AS reason,
  CAST(points AS BIGINT) AS counted
FROM judged_all
WHERE
  NOT reason0 IS NULL OR (
    case_ref IS NULL AND cap IS NULL
  )
UNION ALL
SELECT
  record_id,
  subject_id,
  occurred_at,
  rule,
  points,
  expires_on,
  reason,
  CAST(points AS BIGINT) AS counted
FROM m
WHERE
  NOT reason IS NULL OR cap IS NULL
UNION ALL
SELECT
  record_id,
  subject_id,
  occurred_at,
  rule,
  points,
  expires_on,
  reason,
  CAST(LEAST(
    points,
    GREATEST(
      0,
      cap_max - (
        SUM(points) OVER (
          PARTITION BY subject_id, cap
          ORDER BY occurred_at NULLS LAST, record_id NULLS LAST
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) - points
      )
    )
  ) AS BIGINT) AS counted
FROM c;

-- standing
SELECT
  w.subject_id,
  w.region,
  w.kind,
  g.pack
FROM (
  SELECT
    subject_id,
    MIN(kind) AS kind,
    COALESCE(
      MAX_BY(
        CASE WHEN occurred_at <= CAST('2026-11-22' AS DATE) THEN region END,
        CASE
          WHEN occurred_at <= CAST('2026-11-22' AS DATE)
          THEN CAST(occurred_at AS STRING) || record_id
        END
      ),
      MIN_BY(region, CAST(occurred_at AS STRING) || record_id)
    ) AS region
  FROM judged_all
  GROUP BY
    subject_id
) AS w
LEFT JOIN governance AS g
  ON g.region = w.region
  AND g.kind = w.kind
  AND (
    g.since IS NULL OR g.since <= CAST('2026-11-22' AS DATE)
  )
  AND (
    g.until IS NULL OR CAST('2026-11-22' AS DATE) < g.until
  );

-- scores
SELECT
  subject_id,
  pack,
  score,
  CASE pack
    WHEN 'national-org'
    THEN CASE
      WHEN score >= 90
      THEN 'A'
      WHEN score >= 70
      THEN 'B'
      WHEN score >= 40
      THEN 'C'
      ELSE 'D'
    END
    WHEN 'rongcheng'
    THEN CASE
      WHEN score >= 1050
      THEN 'AAA'
      WHEN score >= 1030
      THEN 'AA'
      WHEN score >= 960
      THEN 'A'
      WHEN score >= 850
      THEN 'B'
      WHEN score >= 600
      THEN 'C'
      ELSE 'D'
    END
  END AS tier,
  changes_on
FROM (
  SELECT
    subject_id,
    pack,
    CAST(CASE pack
      WHEN 'national-org'
      THEN LEAST(GREATEST(100 + total, 0), 100)
      WHEN 'rongcheng'
      THEN GREATEST(1000 + total, 0)
    END AS BIGINT) AS score,
    changes_on
  FROM (
    SELECT
      t.subject_id,
      s.pack,
      t.total,
      t.changes_on
    FROM (
      SELECT
        subject_id,
        COALESCE(SUM(CASE WHEN reason IS NULL THEN counted END), 0) AS total,
        MIN(
          CASE
            WHEN occurred_at > CAST('2026-11-22' AS DATE)
            THEN occurred_at
            WHEN expires_on > CAST('2026-11-22' AS DATE)
            THEN expires_on
          END
        ) AS changes_on
      FROM counted
      GROUP BY
        subject_id
    ) AS t
    JOIN standing AS s
      ON s.subject_id = t.subject_id
    WHERE
      pack IN ('national-org', 'rongcheng')
  ) AS u
) AS v;

-- scored
SELECT
  s.subject_id,
  s.pack,
  s.score,
  s.tier,
  CAST(LEAST(s.changes_on, e.until, CAST(NULL AS DATE)) AS DATE) AS valid_until
FROM scores AS s
LEFT JOIN (
  SELECT
    subject_id,
    MIN(until) AS until
  FROM list_entries
  GROUP BY
    subject_id
) AS e
  ON e.subject_id = s.subject_id;

-- unjudged
SELECT
  subject_id,
  region,
  kind,
  pack,
  CASE
    WHEN pack IS NULL
    THEN 'no pack governs ' || kind || 's in ' || region
    ELSE 'pack ' || pack || ' has no version in force'
  END AS reason
FROM standing
WHERE
  pack IS NULL OR NOT (
    pack IN ('national-org', 'rongcheng')
  );

-- verdicts
SELECT
  record_id,
  subject_id,
  rule,
  points,
  expires_on,
  reason,
  counted
FROM counted
WHERE
  occurred_at <= CAST('2026-11-22' AS DATE)
  AND subject_id IN (
    SELECT
      subject_id
    FROM scores
  );
