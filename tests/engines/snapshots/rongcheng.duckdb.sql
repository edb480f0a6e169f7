-- judged
WITH l AS (
  SELECT
    *,
    CASE
      WHEN occurred_at >= CAST('2026-07-01' AS DATE)
      THEN 2
      WHEN occurred_at >= CAST('2025-01-01' AS DATE)
      THEN 1
    END AS v_then
  FROM ledger
  WHERE
    pack = 'rongcheng'
), h AS (
  SELECT
    *,
    CASE v_then
      WHEN 1
      THEN CASE
        WHEN type = 'traffic.violation' AND a_severity__integer <= 2
        THEN 1
        WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
        THEN 2
        WHEN type = 'traffic.violation' AND a_severity__integer >= 5
        THEN 3
        WHEN type = 'tax.arrears'
        THEN 4
        WHEN type = 'court.judgment_default'
        THEN 5
        WHEN type = 'utility.unpaid_bill' AND a_months__integer >= 3
        THEN 6
        WHEN type = 'transport.fare_evasion'
        THEN 7
        WHEN type = 'transport.smoking_on_board'
        THEN 8
        WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
        THEN 9
        WHEN type = 'civic.volunteering'
        THEN 10
      END
      WHEN 2
      THEN CASE
        WHEN type = 'traffic.violation' AND a_severity__integer <= 2
        THEN 11
        WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
        THEN 12
        WHEN type = 'traffic.violation' AND a_severity__integer >= 5
        THEN 13
        WHEN type = 'tax.arrears'
        THEN 14
        WHEN type = 'court.judgment_default'
        THEN 15
        WHEN type = 'transport.fare_evasion'
        THEN 16
        WHEN type = 'transport.smoking_on_board'
        THEN 17
        WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
        THEN 18
        WHEN type = 'civic.volunteering'
        THEN 19
      END
    END AS hit
  FROM l
), p AS (
  SELECT
    *,
    CASE
      WHEN hit IN (4, 14)
      THEN CASE
        WHEN (
          CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5
        ) IS NULL
        OR -100 IS NULL
        THEN NULL
        ELSE GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5, -100)
      END
      WHEN hit IN (10, 19)
      THEN CASE
        WHEN (
          CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5
        ) IS NULL
        OR 50 IS NULL
        THEN NULL
        ELSE LEAST(CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5, 50)
      END
      ELSE [
        -5,
        -20,
        -50,
        NULL,
        -100,
        -5,
        -10,
        -10,
        20,
        NULL,
        -3,
        -20,
        -50,
        NULL,
        -100,
        -10,
        -10,
        20,
        NULL
      ][CAST(hit AS INT)]
    END AS p_then,
    [
      365,
      730,
      1095,
      1095,
      730,
      365,
      365,
      365,
      365,
      365,
      365,
      730,
      1095,
      1095,
      730,
      365,
      365,
      365,
      365
    ][CAST(hit AS INT)] AS valid_days
  FROM h
), j AS (
  SELECT
    *,
    CASE
      WHEN p_then < 0
      THEN GREATEST(
        p_then,
        LEAST(
          COALESCE(
            CASE
              WHEN v_then = 2
              THEN p_then
              ELSE CASE
                WHEN type = 'traffic.violation' AND a_severity__integer <= 2
                THEN -3
                WHEN type = 'traffic.violation' AND a_severity__integer IN (3, 4)
                THEN -20
                WHEN type = 'traffic.violation' AND a_severity__integer >= 5
                THEN -50
                WHEN type = 'tax.arrears'
                THEN CASE
                  WHEN (
                    CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5
                  ) IS NULL
                  OR -100 IS NULL
                  THEN NULL
                  ELSE GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 1000.0) AS BIGINT) * -5, -100)
                END
                WHEN type = 'court.judgment_default'
                THEN -100
                WHEN type = 'transport.fare_evasion'
                THEN -10
                WHEN type = 'transport.smoking_on_board'
                THEN -10
                WHEN type = 'civic.blood_donation' AND a_ml__integer >= 200
                THEN 20
                WHEN type = 'civic.volunteering'
                THEN CASE
                  WHEN (
                    CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5
                  ) IS NULL
                  OR 50 IS NULL
                  THEN NULL
                  ELSE LEAST(CAST(FLOOR(CAST(a_hours__integer AS DOUBLE) / 10.0) AS BIGINT) * 5, 50)
                END
              END
            END,
            0
          ),
          0
        )
      )
      ELSE p_then
    END AS points,
    CAST(occurred_at + CAST(valid_days AS INT) AS DATE) AS expires_on
  FROM p
)
SELECT
  record_id,
  subject_id,
  occurred_at,
  case_ref,
  v_then,
  hit,
  points,
  expires_on,
  CASE
    WHEN occurred_at > CAST('2026-11-22' AS DATE)
    THEN 'later'
    WHEN withdrawn
    THEN 'withdrawn'
    WHEN overturned
    THEN 'overturned'
    WHEN hit IS NULL
    THEN 'no-rule'
    WHEN expires_on <= CAST('2026-11-22' AS DATE)
    THEN 'expired'
    WHEN disputed AND TRUE
    THEN 'disputed'
  END AS reason0,
  CASE v_then
    WHEN 1
    THEN type = 'court.judgment_default'
    WHEN 2
    THEN type = 'court.judgment_default'
    ELSE FALSE
  END
  AND (
    (
      NOT withdrawn AND NOT overturned
    ) AND NOT disputed
  ) AS admits_0,
  type = 'court.judgment_satisfied' AND (
    NOT withdrawn AND NOT overturned
  ) AS repairs_0_1,
  type = 'court.judgment_satisfied' AND (
    NOT withdrawn AND NOT overturned
  ) AS repairs_0_2
FROM j;

-- pending
SELECT
  record_id,
  subject_id,
  occurred_at,
  hit,
  points,
  expires_on,
  case_ref,
  cap
FROM (
  SELECT
    *,
    CASE
      WHEN points > 0
      THEN CAST([
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        'civic-rewards-year',
        'civic-rewards-year',
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        'civic-rewards-year',
        'civic-rewards-year'
      ][CAST(hit AS INT)] AS TEXT)
    END AS cap
  FROM judged
) AS j
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
    hit,
    points,
    expires_on,
    cap,
    CASE
      WHEN ROW_NUMBER() OVER (
        PARTITION BY subject_id, case_ref
        ORDER BY ABS(points) DESC, occurred_at, record_id
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
    hit,
    points,
    expires_on,
    cap,
    CAST(NULL AS TEXT) AS reason
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
  hit,
  points,
  expires_on,
  reason0 AS reason,
  [
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'utility-unpaid',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering',
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering'
  ][CAST(hit AS INT)] AS rule,
  CAST(points AS BIGINT) AS counted
FROM (
  SELECT
    *,
    CASE
      WHEN points > 0
      THEN CAST([
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        'civic-rewards-year',
        'civic-rewards-year',
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        NULL,
        'civic-rewards-year',
        'civic-rewards-year'
      ][CAST(hit AS INT)] AS TEXT)
    END AS cap
  FROM judged
) AS j
WHERE
  NOT reason0 IS NULL OR (
    case_ref IS NULL AND cap IS NULL
  )
UNION ALL
SELECT
  record_id,
  subject_id,
  occurred_at,
  hit,
  points,
  expires_on,
  reason,
  [
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'utility-unpaid',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering',
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering'
  ][CAST(hit AS INT)] AS rule,
  CAST(points AS BIGINT) AS counted
FROM m
WHERE
  NOT reason IS NULL OR cap IS NULL
UNION ALL
SELECT
  record_id,
  subject_id,
  occurred_at,
  hit,
  points,
  expires_on,
  reason,
  [
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'utility-unpaid',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering',
    'traffic-minor',
    'traffic-serious',
    'traffic-grave',
    'tax-arrears',
    'judgment-default',
    'fare-evasion',
    'smoking-on-board',
    'blood-donation',
    'volunteering'
  ][CAST(hit AS INT)] AS rule,
  CAST(LEAST(
    points,
    GREATEST(
      0,
      CASE cap WHEN 'civic-rewards-year' THEN 200 END - (
        SUM(points) OVER (
          PARTITION BY subject_id, cap
          ORDER BY occurred_at, record_id
          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) - points
      )
    )
  ) AS BIGINT) AS counted
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
  END AS tier,
  changes_on
FROM (
  SELECT
    subject_id,
    CAST(CASE
      WHEN (
        1000 + total
      ) IS NULL OR 0 IS NULL
      THEN NULL
      ELSE GREATEST(1000 + total, 0)
    END AS BIGINT) AS score,
    changes_on
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
) AS s;

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
      CAST(j.occurred_at + CAST(CASE j.v_then WHEN 1 THEN 730 WHEN 2 THEN 730 END AS INT) AS DATE) AS until0
    FROM judged AS j
    WHERE
      j.admits_0
  ), rep AS (
    SELECT
      a.record_id,
      MIN(l.occurred_at) AS repaired_on
    FROM a
    JOIN judged AS l
      ON l.subject_id = a.subject_id
      AND l.case_ref = a.case_ref
      AND l.occurred_at >= a.since
    WHERE
      (
        l.repairs_0_1 OR l.repairs_0_2
      )
      AND CASE a.v_then WHEN 1 THEN l.repairs_0_1 WHEN 2 THEN l.repairs_0_2 ELSE FALSE END
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
) AS e0;

-- scored
SELECT
  s.subject_id,
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
  occurred_at <= CAST('2026-11-22' AS DATE);
