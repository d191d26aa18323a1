# Shared by the benchmark scripts (sourced, not run): settings, wrk, the release build, the
# seeded 1,000,000-person PostgreSQL database and the benchmark consumer's key.
PERSONS=${PERSONS:-1000000}
SEED=${SEED:-2026}
DURATION=${DURATION:-20s}
PORT=${PORT:-18088}
ADMIN_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
DB=archive_hub_bench
BENCH_URL="${ADMIN_URL%/*}/$DB"
OUT=bench/out
BIN=${CARGO_TARGET_DIR:-target}/release/archive-hub
mkdir -p "$OUT"
export ARCHIVE_HUB_LOG__FILTER=warn

# wrk (and bc) from Debian when missing; the release builds of the named packages.
bench_tools() {
  command -v wrk >/dev/null && command -v bc >/dev/null ||
    (apt-get update -qq && apt-get install -y -qq wrk bc) >/dev/null
  cargo build --release --quiet "${@/#/-p}"
}

# Seeds archive_hub_bench when it holds no seeded population yet, then VACUUM ANALYZE.
bench_seeded() {
  if ! psql "$BENCH_URL" -Atqc "SELECT 1 FROM trn_class LIMIT 1" >/dev/null 2>&1; then
    psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
    echo "== seeding $PERSONS persons into PostgreSQL"
    DATABASE_URL="$BENCH_URL" $BIN seed --persons "$PERSONS" --seed "$SEED" | tail -3
    psql "$BENCH_URL" -q -c "VACUUM ANALYZE"
  fi
}

# 20,000 random seeded ID numbers (bench/out/ids.txt) and the benchmark consumer with a
# fresh key (created on the first run, rotated after), exported as BENCH_KEY.
bench_key() {
  DATABASE_URL="$BENCH_URL" $BIN sample-ids --persons "$PERSONS" --seed "$SEED" --count 20000 > "$OUT/ids.txt"
  DATABASE_URL="$BENCH_URL" $BIN policy apply bench/policy.toml > "$OUT/policy.txt"
  if ! grep -q bench-full "$OUT/policy.txt"; then
    local id
    id=$(DATABASE_URL="$BENCH_URL" $BIN consumer list | awk '$2 == "bench-full" { print $1 }')
    DATABASE_URL="$BENCH_URL" $BIN consumer rotate "$id" | awk '{ print "  bench-full", $NF }' > "$OUT/policy.txt"
  fi
  BENCH_KEY=$(awk '$1 == "bench-full" { print $2 }' "$OUT/policy.txt")
  export BENCH_KEY BENCH_IDS="$OUT/ids.txt"
}

# Waits until `curl` gets an answer from URL (at most 30 s); fails otherwise.
wait_for() {
  for _ in $(seq 1 150); do
    curl -fs -o /dev/null "$@" && return 0
    sleep 0.2
  done
  echo "no answer from $*" >&2
  return 1
}

# requests/s, p50 and p99 of a wrk output file, one line.
wrk_line() {
  printf '%-44s %10s  p50 %-9s p99 %s\n' "$(basename "$1" .txt)" \
    "$(awk '/Requests\/sec/ {print $2}' "$1")" "$(awk '$1 == "50%" {print $2}' "$1")" "$(awk '$1 == "99%" {print $2}' "$1")"
}
