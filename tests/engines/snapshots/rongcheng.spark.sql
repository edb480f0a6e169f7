-- judged
SELECT
  l.*,
  CASE
    WHEN occurred_at >= CAST('2026-07-01' AS DATE)
    THEN 2
    WHEN occurred_at >= CAST('2025-01-01' AS DATE)
    THEN 1
  END AS v_then,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN 'traffic-minor'
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN 'traffic-serious'
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN 'traffic-grave'
      WHEN type = 'tax.arrears'
      THEN 'tax-arrears'
      WHEN type = 'court.judgment_default'
      THEN 'judgment-default'
      WHEN type = 'utility.unpaid_bill' AND a_months__integer >= 3
      THEN 'utility-unpaid'
      WHEN type = 'transport.fare_evasion'
      THEN 'fare-evasion'
      WHEN type = 'transport.smoking_on_board'
      THEN 'smoking-on-board'
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 'blood-donation'
      WHEN type = 'civic.volunteering'
      THEN 'volunteering'
    END
    WHEN 2
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN 'traffic-minor'
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN 'traffic-serious'
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN 'traffic-grave'
      WHEN type = 'tax.arrears'
      THEN 'tax-arrears'
      WHEN type = 'court.judgment_default'
      THEN 'judgment-default'
      WHEN type = 'transport.fare_evasion'
      THEN 'fare-evasion'
      WHEN type = 'transport.smoking_on_board'
      THEN 'smoking-on-board'
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 'blood-donation'
      WHEN type = 'civic.volunteering'
      THEN 'volunteering'
    END
  END AS rule,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN -5
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN -20
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN -50
      WHEN type = 'tax.arrears'
      THEN GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5, -100)
      WHEN type = 'court.judgment_default'
      THEN -100
      WHEN type = 'utility.unpaid_bill' AND a_months__integer >= 3
      THEN -5
      WHEN type = 'transport.fare_evasion'
      THEN -10
      WHEN type = 'transport.smoking_on_board'
      THEN -10
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 20
      WHEN type = 'civic.volunteering'
      THEN LEAST(CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5, 50)
    END
    WHEN 2
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN -3
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN -20
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN -50
      WHEN type = 'tax.arrears'
      THEN GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5, -100)
      WHEN type = 'court.judgment_default'
      THEN -100
      WHEN type = 'transport.fare_evasion'
      THEN -10
      WHEN type = 'transport.smoking_on_board'
      THEN -10
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 20
      WHEN type = 'civic.volunteering'
      THEN LEAST(CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5, 50)
    END
  END AS p_then,
  CASE v_then
    WHEN 1
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN 365
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN 730
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN 1095
      WHEN type = 'tax.arrears'
      THEN 1095
      WHEN type = 'court.judgment_default'
      THEN 730
      WHEN type = 'utility.unpaid_bill' AND a_months__integer >= 3
      THEN 365
      WHEN type = 'transport.fare_evasion'
      THEN 365
      WHEN type = 'transport.smoking_on_board'
      THEN 365
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 365
      WHEN type = 'civic.volunteering'
      THEN 365
    END
    WHEN 2
    THEN CASE
      WHEN type = 'traffic.violation' AND a_severity__integer <= 2
      THEN 365
      WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
      THEN 730
      WHEN type = 'traffic.violation' AND a_severity__integer >= 5
      THEN 1095
      WHEN type = 'tax.arrears'
      THEN 1095
      WHEN type = 'court.judgment_default'
      THEN 730
      WHEN type = 'transport.fare_evasion'
      THEN 365
      WHEN type = 'transport.smoking_on_board'
      THEN 365
      WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
      THEN 365
      WHEN type = 'civic.volunteering'
      THEN 365
    END
  END AS valid_days,
  CASE
    WHEN type = 'traffic.violation' AND a_severity__integer <= 2
    THEN -3
    WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
    THEN -20
    WHEN type = 'traffic.violation' AND a_severity__integer >= 5
    THEN -50
    WHEN type = 'tax.arrears'
    THEN GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5, -100)
    WHEN type = 'court.judgment_default'
    THEN -100
    WHEN type = 'transport.fare_evasion'
    THEN -10
    WHEN type = 'transport.smoking_on_board'
    THEN -10
    WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
    THEN 20
    WHEN type = 'civic.volunteering'
    THEN LEAST(CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5, 50)
  END AS p_now
FROM ledger AS l
WHERE
  l.pack = 'rongcheng' AND l.occurred_at <= CAST('2026-11-22' AS DATE);

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
    CASE
      WHEN reason IS NULL AND points > 0
      THEN CASE WHEN rule IN ('blood-donation', 'volunteering') THEN 'civic-rewards-year' END
    END AS cap
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
        CASE cap WHEN 'civic-rewards-year' THEN 200 END - (
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
  END AS tier
FROM (
  SELECT
    s.subject_id,
    CAST(GREATEST(1000 + total, 0) AS BIGINT) AS score
  FROM (
    SELECT
      s.subject_id,
      COALESCE(t.total, 0) AS total
    FROM (
      SELECT DISTINCT
        subject_id
      FROM ledger
      WHERE
        pack = 'rongcheng'
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
WITH a AS (
  SELECT
    j.subject_id,
    j.record_id,
    j.case_ref,
    j.v_then,
    j.occurred_at AS since,
    CAST(DATE_ADD(j.occurred_at, CAST(CASE v_then WHEN 1 THEN 730 WHEN 2 THEN 730 END AS INT)) AS DATE) AS until0
  FROM judged AS j
  WHERE
    NOT j.withdrawn
    AND NOT j.overturned
    AND NOT (
      j.disputed AND TRUE
    )
    AND CASE v_then
      WHEN 1
      THEN j.type = 'court.judgment_default'
      WHEN 2
      THEN j.type = 'court.judgment_default'
      ELSE FALSE
    END
), rep AS (
  SELECT
    a.record_id,
    MIN(l.occurred_at) AS repaired_on
  FROM a
  JOIN ledger AS l
    ON l.pack = 'rongcheng'
    AND l.subject_id = a.subject_id
    AND l.case_ref = a.case_ref
    AND l.occurred_at >= a.since
    AND NOT l.withdrawn
    AND NOT l.overturned
  WHERE
    COALESCE(a.case_ref, '') <> ''
    AND CASE v_then
      WHEN 1
      THEN l.type = 'court.judgment_satisfied'
      WHEN 2
      THEN l.type = 'court.judgment_satisfied'
      ELSE FALSE
    END
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
  *
FROM (
  SELECT
    subject_id,
    'judgment-defaulters' AS list_id,
    record_id,
    since,
    until
  FROM e
  WHERE
    since <= CAST('2026-11-22' AS DATE) AND CAST('2026-11-22' AS DATE) < until
) AS e0;

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
      pack = 'rongcheng' AND occurred_at > CAST('2026-11-22' AS DATE)
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
