-- judged
SELECT
  l.*,
  CASE WHEN occurred_at >= CAST('2025-01-01' AS DATE) THEN 1 END AS v_then,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
      THEN 'tax-evasion'
      WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
      THEN 'tax-arrears'
      WHEN type = 'finance.false_report'
      THEN 'false-financial-report'
      WHEN type = 'labour.unpaid_wages'
      THEN 'unpaid-wages'
      WHEN type = 'labour.unpaid_social_insurance'
      THEN 'unpaid-social-insurance'
      WHEN type = 'environment.violation' AND a_severity__integer <= 2
      THEN 'environment-minor'
      WHEN type = 'environment.violation' AND a_severity__integer = 3
      THEN 'environment-serious'
      WHEN type = 'environment.violation' AND a_severity__integer >= 4
      THEN 'environment-grave'
      WHEN type = 'quality.product_violation' AND a_severity__integer <= 2
      THEN 'product-quality-minor'
      WHEN type = 'quality.product_violation'
      THEN 'product-quality-serious'
      WHEN type = 'quality.drug_safety_violation'
      THEN 'drug-safety'
      WHEN type = 'market.false_advertising'
      THEN 'false-advertising'
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 3
      THEN 'work-accident-major'
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 1
      THEN 'work-accident-fatal'
      WHEN type = 'safety.work_accident' AND a_injuries__integer >= 1
      THEN 'work-accident-injuries'
      WHEN type = 'report.annual_missed'
      THEN 'annual-report-missed'
      WHEN type = 'court.judgment_default'
      THEN 'judgment-default'
    END
  END AS rule,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
      THEN -40
      WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
      THEN GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1, -20)
      WHEN type = 'finance.false_report'
      THEN -30
      WHEN type = 'labour.unpaid_wages'
      THEN -20
      WHEN type = 'labour.unpaid_social_insurance'
      THEN -10
      WHEN type = 'environment.violation' AND a_severity__integer <= 2
      THEN -5
      WHEN type = 'environment.violation' AND a_severity__integer = 3
      THEN -15
      WHEN type = 'environment.violation' AND a_severity__integer >= 4
      THEN -30
      WHEN type = 'quality.product_violation' AND a_severity__integer <= 2
      THEN -10
      WHEN type = 'quality.product_violation'
      THEN -25
      WHEN type = 'quality.drug_safety_violation'
      THEN -40
      WHEN type = 'market.false_advertising'
      THEN -10
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 3
      THEN -50
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 1
      THEN -30
      WHEN type = 'safety.work_accident' AND a_injuries__integer >= 1
      THEN -10
      WHEN type = 'report.annual_missed'
      THEN -5
      WHEN type = 'court.judgment_default'
      THEN -30
    END
  END AS p_then,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
      THEN 1095
      WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
      THEN 1095
      WHEN type = 'finance.false_report'
      THEN 1095
      WHEN type = 'labour.unpaid_wages'
      THEN 730
      WHEN type = 'labour.unpaid_social_insurance'
      THEN 730
      WHEN type = 'environment.violation' AND a_severity__integer <= 2
      THEN 365
      WHEN type = 'environment.violation' AND a_severity__integer = 3
      THEN 730
      WHEN type = 'environment.violation' AND a_severity__integer >= 4
      THEN 1095
      WHEN type = 'quality.product_violation' AND a_severity__integer <= 2
      THEN 365
      WHEN type = 'quality.product_violation'
      THEN 1095
      WHEN type = 'quality.drug_safety_violation'
      THEN 1095
      WHEN type = 'market.false_advertising'
      THEN 365
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 3
      THEN 1095
      WHEN type = 'safety.work_accident' AND a_deaths__integer >= 1
      THEN 1095
      WHEN type = 'safety.work_accident' AND a_injuries__integer >= 1
      THEN 730
      WHEN type = 'report.annual_missed'
      THEN 365
      WHEN type = 'court.judgment_default'
      THEN 730
    END
  END AS valid_days,
  CASE
    WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
    THEN -40
    WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
    THEN GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1, -20)
    WHEN type = 'finance.false_report'
    THEN -30
    WHEN type = 'labour.unpaid_wages'
    THEN -20
    WHEN type = 'labour.unpaid_social_insurance'
    THEN -10
    WHEN type = 'environment.violation' AND a_severity__integer <= 2
    THEN -5
    WHEN type = 'environment.violation' AND a_severity__integer = 3
    THEN -15
    WHEN type = 'environment.violation' AND a_severity__integer >= 4
    THEN -30
    WHEN type = 'quality.product_violation' AND a_severity__integer <= 2
    THEN -10
    WHEN type = 'quality.product_violation'
    THEN -25
    WHEN type = 'quality.drug_safety_violation'
    THEN -40
    WHEN type = 'market.false_advertising'
    THEN -10
    WHEN type = 'safety.work_accident' AND a_deaths__integer >= 3
    THEN -50
    WHEN type = 'safety.work_accident' AND a_deaths__integer >= 1
    THEN -30
    WHEN type = 'safety.work_accident' AND a_injuries__integer >= 1
    THEN -10
    WHEN type = 'report.annual_missed'
    THEN -5
    WHEN type = 'court.judgment_default'
    THEN -30
  END AS p_now
FROM ledger AS l
WHERE
  l.pack = 'national-org' AND l.occurred_at <= CAST('2026-11-22' AS DATE);

-- counted
WITH j AS (
  SELECT
    *,
    CASE
      WHEN p_then < 0
      THEN GREATEST(p_then, LEAST(COALESCE(p_now, 0), 0))
      ELSE p_then
    END AS points,
    CAST(DATE_ADD(occurred_at, CAST(valid_days AS INT)) AS DATE) AS expires_on
  FROM judged
), r AS (
  SELECT
    *,
    CASE
      WHEN withdrawn
      THEN 'withdrawn'
      WHEN overturned
      THEN 'overturned'
      WHEN rule IS NULL
      THEN 'no-rule'
      WHEN expires_on <= CAST('2026-11-22' AS DATE)
      THEN 'expired'
      WHEN disputed AND TRUE
      THEN 'disputed'
    END AS reason0
  FROM j
), m AS (
  SELECT
    *,
    CASE
      WHEN reason0 IS NULL
      AND COALESCE(case_ref, '') <> ''
      AND ROW_NUMBER() OVER (
        PARTITION BY subject_id, case_ref, reason0 IS NULL
        ORDER BY ABS(points) DESC, occurred_at NULLS LAST, record_id NULLS LAST
      ) > 1
      THEN 'merged'
      ELSE reason0
    END AS reason
  FROM r
), c AS (
  SELECT
    *,
    CASE WHEN reason IS NULL AND points > 0 THEN NULL END AS cap
  FROM m
)
SELECT
  record_id,
  subject_id,
  rule,
  points,
  expires_on,
  reason,
  CAST(CASE
    WHEN cap IS NULL
    THEN points
    ELSE LEAST(
      points,
      GREATEST(
        0,
        NULL - (
          SUM(points) OVER (
            PARTITION BY subject_id, cap
            ORDER BY occurred_at NULLS LAST, record_id NULLS LAST
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
          ) - points
        )
      )
    )
  END AS BIGINT) AS counted
FROM c;

-- scores
SELECT
  subject_id,
  score,
  CASE
    WHEN score >= 90
    THEN 'A'
    WHEN score >= 70
    THEN 'B'
    WHEN score >= 40
    THEN 'C'
    ELSE 'D'
  END AS tier
FROM (
  SELECT
    s.subject_id,
    CAST(LEAST(GREATEST(100 + total, 0), 100) AS BIGINT) AS score
  FROM (
    SELECT
      s.subject_id,
      COALESCE(t.total, 0) AS total
    FROM (
      SELECT DISTINCT
        subject_id
      FROM ledger
      WHERE
        pack = 'national-org'
    ) AS s
    LEFT JOIN (
      SELECT
        subject_id,
        SUM(counted) AS total
      FROM counted
      WHERE
        reason IS NULL
      GROUP BY
        subject_id
    ) AS t
      ON s.subject_id = t.subject_id
  ) AS s
) AS scored;

-- entries
SELECT
  *
FROM (
  WITH a AS (
    SELECT
      j.subject_id,
      j.record_id,
      j.case_ref,
      j.v_then,
      j.occurred_at AS since,
      CAST(DATE_ADD(j.occurred_at, CAST(CASE v_then WHEN 1 THEN 730 END AS INT)) AS DATE) AS until0
    FROM judged AS j
    WHERE
      NOT j.withdrawn
      AND NOT j.overturned
      AND NOT (
        j.disputed AND TRUE
      )
      AND CASE v_then WHEN 1 THEN j.type = 'court.judgment_default' ELSE FALSE END
  ), rep AS (
    SELECT
      a.record_id,
      MIN(l.occurred_at) AS repaired_on
    FROM a
    JOIN ledger AS l
      ON l.pack = 'national-org'
      AND l.subject_id = a.subject_id
      AND l.case_ref = a.case_ref
      AND l.occurred_at >= a.since
      AND NOT l.withdrawn
      AND NOT l.overturned
    WHERE
      COALESCE(a.case_ref, '') <> ''
      AND CASE v_then WHEN 1 THEN l.type = 'court.judgment_satisfied' ELSE FALSE END
    GROUP BY
      a.record_id
  ), e AS (
    SELECT
      a.subject_id,
      a.record_id,
      a.since,
      LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
    FROM a
    LEFT JOIN rep
      ON a.record_id = rep.record_id
  )
  SELECT
    subject_id,
    'judgment-defaulters' AS list_id,
    record_id,
    since,
    until
  FROM e
  WHERE
    since <= CAST('2026-11-22' AS DATE) AND CAST('2026-11-22' AS DATE) < until
) AS e0
UNION ALL
SELECT
  *
FROM (
  WITH a AS (
    SELECT
      j.subject_id,
      j.record_id,
      j.case_ref,
      j.v_then,
      j.occurred_at AS since,
      CAST(DATE_ADD(j.occurred_at, CAST(CASE v_then WHEN 1 THEN 1095 END AS INT)) AS DATE) AS until0
    FROM judged AS j
    WHERE
      NOT j.withdrawn
      AND NOT j.overturned
      AND NOT (
        j.disputed AND TRUE
      )
      AND CASE v_then
        WHEN 1
        THEN j.type = 'tax.violation'
        AND (
          j.a_kind__string = 'evasion'
          OR (
            j.a_kind__string = 'arrears' AND j.a_amount__number >= 1000000
          )
        )
        ELSE FALSE
      END
  ), rep AS (
    SELECT
      a.record_id,
      MIN(l.occurred_at) AS repaired_on
    FROM a
    JOIN ledger AS l
      ON l.pack = 'national-org'
      AND l.subject_id = a.subject_id
      AND l.case_ref = a.case_ref
      AND l.occurred_at >= a.since
      AND NOT l.withdrawn
      AND NOT l.overturned
    WHERE
      COALESCE(a.case_ref, '') <> '' AND CASE v_then WHEN 1 THEN FALSE ELSE FALSE END
    GROUP BY
      a.record_id
  ), e AS (
    SELECT
      a.subject_id,
      a.record_id,
      a.since,
      LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
    FROM a
    LEFT JOIN rep
      ON a.record_id = rep.record_id
  )
  SELECT
    subject_id,
    'serious-tax-violators' AS list_id,
    record_id,
    since,
    until
  FROM e
  WHERE
    since <= CAST('2026-11-22' AS DATE) AND CAST('2026-11-22' AS DATE) < until
) AS e1
UNION ALL
SELECT
  *
FROM (
  WITH a AS (
    SELECT
      j.subject_id,
      j.record_id,
      j.case_ref,
      j.v_then,
      j.occurred_at AS since,
      CAST(DATE_ADD(j.occurred_at, CAST(CASE v_then WHEN 1 THEN 1095 END AS INT)) AS DATE) AS until0
    FROM judged AS j
    WHERE
      NOT j.withdrawn
      AND NOT j.overturned
      AND NOT (
        j.disputed AND TRUE
      )
      AND CASE v_then
        WHEN 1
        THEN j.type = 'environment.violation' AND j.a_severity__integer >= 4
        ELSE FALSE
      END
  ), rep AS (
    SELECT
      a.record_id,
      MIN(l.occurred_at) AS repaired_on
    FROM a
    JOIN ledger AS l
      ON l.pack = 'national-org'
      AND l.subject_id = a.subject_id
      AND l.case_ref = a.case_ref
      AND l.occurred_at >= a.since
      AND NOT l.withdrawn
      AND NOT l.overturned
    WHERE
      COALESCE(a.case_ref, '') <> '' AND CASE v_then WHEN 1 THEN FALSE ELSE FALSE END
    GROUP BY
      a.record_id
  ), e AS (
    SELECT
      a.subject_id,
      a.record_id,
      a.since,
      LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
    FROM a
    LEFT JOIN rep
      ON a.record_id = rep.record_id
  )
  SELECT
    subject_id,
    'serious-environmental-violators' AS list_id,
    record_id,
    since,
    until
  FROM e
  WHERE
    since <= CAST('2026-11-22' AS DATE) AND CAST('2026-11-22' AS DATE) < until
) AS e2
UNION ALL
SELECT
  *
FROM (
  WITH a AS (
    SELECT
      j.subject_id,
      j.record_id,
      j.case_ref,
      j.v_then,
      j.occurred_at AS since,
      CAST(DATE_ADD(j.occurred_at, CAST(CASE v_then WHEN 1 THEN 365 END AS INT)) AS DATE) AS until0
    FROM judged AS j
    WHERE
      NOT j.withdrawn
      AND NOT j.overturned
      AND NOT (
        j.disputed AND TRUE
      )
      AND CASE v_then WHEN 1 THEN j.type = 'report.annual_missed' ELSE FALSE END
  ), rep AS (
    SELECT
      a.record_id,
      MIN(l.occurred_at) AS repaired_on
    FROM a
    JOIN ledger AS l
      ON l.pack = 'national-org'
      AND l.subject_id = a.subject_id
      AND l.case_ref = a.case_ref
      AND l.occurred_at >= a.since
      AND NOT l.withdrawn
      AND NOT l.overturned
    WHERE
      COALESCE(a.case_ref, '') <> ''
      AND CASE v_then WHEN 1 THEN l.type = 'report.annual_filed' ELSE FALSE END
    GROUP BY
      a.record_id
  ), e AS (
    SELECT
      a.subject_id,
      a.record_id,
      a.since,
      LEAST(a.until0, COALESCE(rep.repaired_on, a.until0)) AS until
    FROM a
    LEFT JOIN rep
      ON a.record_id = rep.record_id
  )
  SELECT
    subject_id,
    'irregular-operations' AS list_id,
    record_id,
    since,
    until
  FROM e
  WHERE
    since <= CAST('2026-11-22' AS DATE) AND CAST('2026-11-22' AS DATE) < until
) AS e3;

-- scored
WITH v AS (
  SELECT
    subject_id,
    MIN(d) AS d
  FROM (
    SELECT
      subject_id,
      expires_on AS d
    FROM counted
    WHERE
      expires_on > CAST('2026-11-22' AS DATE)
    UNION ALL
    SELECT
      subject_id,
      occurred_at AS d
    FROM ledger
    WHERE
      pack = 'national-org' AND occurred_at > CAST('2026-11-22' AS DATE)
    UNION ALL
    SELECT
      subject_id,
      until AS d
    FROM list_entries
  ) AS t
  GROUP BY
    subject_id
)
SELECT
  s.subject_id,
  s.score,
  s.tier,
  CAST(LEAST(v.d, CAST(NULL AS DATE)) AS DATE) AS valid_until
FROM scores AS s
LEFT JOIN v
  ON v.subject_id = s.subject_id;
