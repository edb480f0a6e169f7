-- judged
WITH l AS (
  SELECT
    *,
    CASE WHEN occurred_at >= CAST('2025-01-01' AS DATE) THEN 1 END AS v_then
  FROM ledger
  WHERE
    pack = 'national-org'
), h AS (
  SELECT
    *,
    CASE v_then
      WHEN 1
      THEN CASE
        WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
        THEN 1
        WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
        THEN 2
        WHEN type = 'finance.false_report'
        THEN 3
        WHEN type = 'labour.unpaid_wages'
        THEN 4
        WHEN type = 'labour.unpaid_social_insurance'
        THEN 5
        WHEN type = 'environment.violation' AND a_severity__integer <= 2
        THEN 6
        WHEN type = 'environment.violation' AND a_severity__integer = 3
        THEN 7
        WHEN type = 'environment.violation' AND a_severity__integer >= 4
        THEN 8
        WHEN type = 'quality.product_violation' AND a_severity__integer <= 2
        THEN 9
        WHEN type = 'quality.product_violation'
        THEN 10
        WHEN type = 'quality.drug_safety_violation'
        THEN 11
        WHEN type = 'market.false_advertising'
        THEN 12
        WHEN type = 'safety.work_accident' AND a_deaths__integer >= 3
        THEN 13
        WHEN type = 'safety.work_accident' AND a_deaths__integer >= 1
        THEN 14
        WHEN type = 'safety.work_accident' AND a_injuries__integer >= 1
        THEN 15
        WHEN type = 'report.annual_missed'
        THEN 16
        WHEN type = 'court.judgment_default'
        THEN 17
      END
    END AS hit
  FROM l
), p AS (
  SELECT
    *,
    CASE
      WHEN hit IN (2)
      THEN CASE
        WHEN (
          CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1
        ) IS NULL
        OR -20 IS NULL
        THEN NULL
        ELSE GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1, -20)
      END
      ELSE [
        -40,
        NULL,
        -30,
        -20,
        -10,
        -5,
        -15,
        -30,
        -10,
        -25,
        -40,
        -10,
        -50,
        -30,
        -10,
        -5,
        -30
      ][CAST(hit AS INT)]
    END AS p_then,
    [
      1095,
      1095,
      1095,
      730,
      730,
      365,
      730,
      1095,
      365,
      1095,
      1095,
      365,
      1095,
      1095,
      730,
      365,
      730
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
              WHEN v_then = 1
              THEN p_then
              ELSE CASE
                WHEN type = 'tax.violation' AND a_kind__string = 'evasion'
                THEN -40
                WHEN type = 'tax.violation' AND a_kind__string = 'arrears'
                THEN CASE
                  WHEN (
                    CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1
                  ) IS NULL
                  OR -20 IS NULL
                  THEN NULL
                  ELSE GREATEST(CAST(FLOOR(CAST(a_amount__number AS DOUBLE) / 50000.0) AS BIGINT) * -1, -20)
                END
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
  region,
  kind,
  occurred_at,
  case_ref,
  pack,
  v_then,
  hit,
  CAST([
    'tax-evasion',
    'tax-arrears',
    'false-financial-report',
    'unpaid-wages',
    'unpaid-social-insurance',
    'environment-minor',
    'environment-serious',
    'environment-grave',
    'product-quality-minor',
    'product-quality-serious',
    'drug-safety',
    'false-advertising',
    'work-accident-major',
    'work-accident-fatal',
    'work-accident-injuries',
    'annual-report-missed',
    'judgment-default'
  ][CAST(hit AS INT)] AS TEXT) AS rule,
  points,
  expires_on,
  CASE WHEN points > 0 THEN CAST(NULL AS TEXT) END AS cap,
  CASE WHEN points > 0 THEN CAST(NULL AS BIGINT) END AS cap_max,
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
  CASE v_then WHEN 1 THEN type = 'court.judgment_default' ELSE FALSE END
  AND (
    (
      NOT withdrawn AND NOT overturned
    ) AND NOT disputed
  ) AS admits_0,
  CASE v_then
    WHEN 1
    THEN type = 'tax.violation'
    AND (
      a_kind__string = 'evasion'
      OR (
        a_kind__string = 'arrears' AND a_amount__number >= 1000000
      )
    )
    ELSE FALSE
  END
  AND (
    (
      NOT withdrawn AND NOT overturned
    ) AND NOT disputed
  ) AS admits_1,
  CASE v_then
    WHEN 1
    THEN type = 'environment.violation' AND a_severity__integer >= 4
    ELSE FALSE
  END
  AND (
    (
      NOT withdrawn AND NOT overturned
    ) AND NOT disputed
  ) AS admits_2,
  CASE v_then WHEN 1 THEN type = 'report.annual_missed' ELSE FALSE END
  AND (
    (
      NOT withdrawn AND NOT overturned
    ) AND NOT disputed
  ) AS admits_3
FROM j;

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
      CAST(j.occurred_at + CAST(CASE j.v_then WHEN 1 THEN 730 END AS INT) AS DATE) AS until0
    FROM judged AS j
    WHERE
      j.admits_0
  ), r AS (
    SELECT
      *
    FROM ledger
    WHERE
      NOT case_ref IS NULL
      AND (
        type IN ('court.judgment_satisfied')
      )
      AND NOT withdrawn
      AND NOT overturned
  ), rep AS (
    SELECT
      a.record_id,
      MIN(r.occurred_at) AS repaired_on
    FROM a
    JOIN r
      ON r.subject_id = a.subject_id
      AND r.case_ref = a.case_ref
      AND r.occurred_at >= a.since
    WHERE
      CASE a.v_then WHEN 1 THEN type = 'court.judgment_satisfied' ELSE FALSE END
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
      CAST(j.occurred_at + CAST(CASE j.v_then WHEN 1 THEN 1095 END AS INT) AS DATE) AS until0
    FROM judged AS j
    WHERE
      j.admits_1
  ), r AS (
    SELECT
      *
    FROM ledger
    WHERE
      NOT case_ref IS NULL AND FALSE AND NOT withdrawn AND NOT overturned
  ), rep AS (
    SELECT
      a.record_id,
      MIN(r.occurred_at) AS repaired_on
    FROM a
    JOIN r
      ON r.subject_id = a.subject_id
      AND r.case_ref = a.case_ref
      AND r.occurred_at >= a.since
    WHERE
      FALSE
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
      CAST(j.occurred_at + CAST(CASE j.v_then WHEN 1 THEN 1095 END AS INT) AS DATE) AS until0
    FROM judged AS j
    WHERE
      j.admits_2
  ), r AS (
    SELECT
      *
    FROM ledger
    WHERE
      NOT case_ref IS NULL AND FALSE AND NOT withdrawn AND NOT overturned
  ), rep AS (
    SELECT
      a.record_id,
      MIN(r.occurred_at) AS repaired_on
    FROM a
    JOIN r
      ON r.subject_id = a.subject_id
      AND r.case_ref = a.case_ref
      AND r.occurred_at >= a.since
    WHERE
      FALSE
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
      CAST(j.occurred_at + CAST(CASE j.v_then WHEN 1 THEN 365 END AS INT) AS DATE) AS until0
    FROM judged AS j
    WHERE
      j.admits_3
  ), r AS (
    SELECT
      *
    FROM ledger
    WHERE
      NOT case_ref IS NULL
      AND (
        type IN ('report.annual_filed')
      )
      AND NOT withdrawn
      AND NOT overturned
  ), rep AS (
    SELECT
      a.record_id,
      MIN(r.occurred_at) AS repaired_on
    FROM a
    JOIN r
      ON r.subject_id = a.subject_id
      AND r.case_ref = a.case_ref
      AND r.occurred_at >= a.since
    WHERE
      CASE a.v_then WHEN 1 THEN type = 'report.annual_filed' ELSE FALSE END
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
