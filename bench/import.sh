#!/usr/bin/env bash
# Import benchmark on PostgreSQL: a ROWS-row enrolment file (default 100,000) and a
# ROWS-row TRAINING-subsidy file — every claim checked by every rule its kind needs —
# imported with `archive-hub import` into the seeded benchmark database, timed end to end
# (process start, policy, parsing, checks, one transaction per file, audit).
#
#   bench/import.sh                 # seeds archive_hub_bench (1,000,000 persons) if missing
#   ROWS=10000 bench/import.sh
#   BIN=/tmp/archive-hub-before bench/import.sh   # the same run with another build
#
# Each run uses fresh externalIds, so runs can follow each other on one database; the
# files land in bench/out/ (CSV, UTF-8, the templates' Chinese headers).
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-100000}
PERSONS=${PERSONS:-1000000}
SEED=${SEED:-2026}
ADMIN_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
DB=archive_hub_bench
BENCH_URL="${ADMIN_URL%/*}/$DB"
OUT=bench/out
mkdir -p "$OUT"

command -v /usr/bin/time >/dev/null || (apt-get update -qq && apt-get install -y -qq time) >/dev/null
# BIN=path/to/an/older/archive-hub compares a build before a change on the same database.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=${CARGO_TARGET_DIR:-target}/release/archive-hub
fi
export DATABASE_URL="$BENCH_URL"
export ARCHIVE_HUB_LOG__FILTER=warn

if ! psql "$BENCH_URL" -Atqc "SELECT 1 FROM trn_class LIMIT 1" >/dev/null 2>&1; then
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  echo "== seeding $PERSONS persons into PostgreSQL"
  $BIN seed --persons "$PERSONS" --seed "$SEED" >/dev/null
fi
$BIN policy apply bench/import_policy.toml >/dev/null
psql "$BENCH_URL" -q -c "CHECKPOINT"
RUN=$(date +%s)

# Enrolments: seeded trainees (their names and phones) into 1,000 random classes, each
# enrolled on or before the class starts.
ENROL="$OUT/import_enrolment.csv"
psql "$BENCH_URL" -q -c "\copy (
  WITH c AS (SELECT id, start_date, row_number() OVER () - 1 AS k
             FROM (SELECT id, start_date FROM trn_class ORDER BY md5(id::text || '$RUN') LIMIT 1000) x),
       t AS (SELECT id_number, trainee_name, phone, row_number() OVER () - 1 AS n
             FROM (SELECT id_number, trainee_name, phone FROM trn_enrolment
                   ORDER BY md5(id::text || '$RUN') LIMIT $ROWS) y)
  SELECT 'bench-$RUN-e' || t.n AS \"业务编号\", t.id_number AS \"身份证号码\",
         t.trainee_name AS \"姓名\", t.phone AS \"联系电话\", c.id AS \"班级编号\",
         LEAST(c.start_date, current_date) AS \"报名日期\"
  FROM t JOIN c ON c.k = t.n % 1000
) TO '$ENROL' WITH (FORMAT csv, HEADER)"

# Subsidies: a TRAINING subsidy for each enrolment the file above imports (claimed after
# the enrolment import below), paid by the class's county — the rules refuse some (two
# classes at once, a pensioner, a fourth training this year…).
SUBS="$OUT/import_subsidy.csv"
subsidy_file() {
  psql "$BENCH_URL" -q -c "\copy (
    SELECT 'bench-$RUN-s' || row_number() OVER () AS \"业务编号\", e.id_number AS \"身份证号码\",
           '职业培训补贴' AS \"补贴类型\", 120000 AS \"金额(分)\", current_date AS \"发放日期\",
           c.region_code AS \"发放县区代码\", e.id AS \"报名编号\"
    FROM trn_report r JOIN trn_enrolment e ON e.id = r.record_id
    JOIN trn_class c ON c.id = e.class_id
    WHERE r.record = 'ENROLMENT' AND r.external_id LIKE 'bench-$RUN-e%'
    ORDER BY r.id
  ) TO '$SUBS' WITH (FORMAT csv, HEADER)"
}

run() {
  local label=$1; shift
  echo "== $label"
  /usr/bin/time -f "wall %e s, peak RSS %M KB" "$BIN" import "$@" --lang en 2>&1 | tee "$OUT/import_$label.txt" || true
}
run enrolment enrolment "$ENROL" --consumer bench-city-reporting --purpose reporting
subsidy_file
run subsidy subsidy "$SUBS" --consumer bench-city-reporting --purpose subsidy_payment --accept-valid
# Re-importing the same file changes nothing (every row replays).
run enrolment_again enrolment "$ENROL" --consumer bench-city-reporting --purpose reporting
