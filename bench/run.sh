#!/usr/bin/env bash
# Benchmark on PostgreSQL: seeds PERSONS persons (default 1,000,000) into a fresh database,
# timing the seed, then measures `person` look-ups at concurrency 16 and 64 and `persons`
# with 1,000 IDs per request, with wrk over random seeded ID numbers.
#
#   bench/run.sh                      # full run (1M persons, 30 s per load step)
#   PERSONS=100000 DURATION=10s bench/run.sh
#
# Needs the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
# installs wrk from Debian when missing. Results go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30s}
source bench/lib.sh
bench_tools archive-hub

if [ "${SKIP_SEED:-0}" != 1 ]; then
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  echo "== seeding $PERSONS persons into PostgreSQL"
  start=$(date +%s.%N)
  DATABASE_URL="$BENCH_URL" $BIN seed --persons "$PERSONS" --seed "$SEED" | tee "$OUT/seed.txt"
  end=$(date +%s.%N)
  printf 'seed wall time (incl. migrations): %.1f s\n' "$(echo "$end - $start" | bc)" | tee -a "$OUT/seed.txt"
fi
# Flush the bulk load now, so that no load step pays for PostgreSQL's checkpoint of it.
psql "$BENCH_URL" -q -c "CHECKPOINT"

bench_key
export DATABASE_URL="$BENCH_URL"
cargo run --release --quiet --example hostile -- --write "$OUT/hostile" "$(head -1 "$OUT/ids.txt")"
# Enrolments to claim a subsidy for, with their persons (for the claim pre-check step).
psql "$BENCH_URL" -Atq -F' ' -c "SELECT id_number, id FROM trn_enrolment ORDER BY md5(id::text) LIMIT 20000" > "$OUT/claims.txt"

URL="http://127.0.0.1:$PORT/graphql"

# Runs the load steps against a server (binary $SERVER, default $BIN) started with the
# given extra environment.
load() {
  local label=$1; shift
  # Every department and the hub on one URL share one pool (database_max_connections).
  # Cache off: these steps measure reading the sources (bench/peer.sh measures the cache).
  env ARCHIVE_HUB_CACHE__ENABLED=false "$@" ARCHIVE_HUB_SERVER__PORT=$PORT "${SERVER:-$BIN}" serve 2>"$OUT/server_$label.log" &
  local server=$!
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.2
  done
  wrk -t2 -c16 -d5s -s bench/person.lua "$URL" >/dev/null   # warm-up
  for c in 16 64; do
    echo "== [$label] person, full archive, concurrency $c"
    wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/person.lua "$URL" | tee "$OUT/${label}_person_c$c.txt"
  done
  if [ "$label" = "policy_audit_on" ] || [ "${BATCH:-0}" = 1 ]; then
    echo "== [$label] persons, 1,000 IDs per request, concurrency 4"
    wrk -t2 -c4 -d"$DURATION" --latency -s bench/persons.lua "$URL" | tee "$OUT/${label}_persons_1000.txt"
  fi
  if [ "$label" = "policy_audit_on" ]; then
    # Latency at concurrency 1: the claim pre-check against the same persons' look-ups.
    for claim in 0 1; do
      echo "== [$label] claims.lua CLAIM=$claim, concurrency 1"
      CLAIM=$claim BENCH_CLAIMS="$OUT/claims.txt" wrk -t1 -c1 -d"$DURATION" --latency -s bench/claims.lua "$URL" \
        | tee "$OUT/${label}_claim$claim.txt"
    done
  fi
  if [ "$label" = "policy_audit_on" ] || [ "${HOSTILE:-0}" = 1 ]; then
    echo "== [$label] hostile corpus with one look-up in four, concurrency 64"
    wrk -t2 -c64 -d"$DURATION" --latency -s bench/hostile.lua "$URL" | tee "$OUT/${label}_hostile_c64.txt"
  fi
  # Peak resident memory of the server over the whole step (VmHWM).
  echo "[$label] peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$server/status)" | tee "$OUT/${label}_rss.txt"
  kill $server; wait $server 2>/dev/null || true
}

summary() {
  echo "== summary (requests/s, p50, p99)"
  for f in "$OUT"/$1*.txt; do
    [[ $f == *_rss.txt ]] && continue
    printf '%-45s %10s  p50 %-9s p99 %s\n' "$(basename "$f" .txt)" \
      "$(awk '/Requests\/sec/ {print $2}' "$f")" "$(awk '$1 == "50%" {print $2}' "$f")" "$(awk '$1 == "99%" {print $2}' "$f")"
  done
}

# Before/after on the same data in the same run, alternating so that drift on a noisy
# machine hits both builds alike; policy and audit on. Each build gets its own hub database
# (consumers, grants, audit trail), so that each loads only a policy its catalog knows
# (BASELINE_POLICY, default bench/policy.toml).
if [ -n "${BASELINE_BIN:-}" ]; then
  hub_for() {
    local name=$1 bin=$2 policy=$3
    psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name"
    ARCHIVE_HUB_HUB__URL="${ADMIN_URL%/*}/$name" "$bin" policy apply "$policy" \
      | awk '$1 == "bench-full" { print $2 }'
  }
  key_before=$(hub_for archive_hub_bench_before "$BASELINE_BIN" "${BASELINE_POLICY:-bench/policy.toml}")
  key_after=$(hub_for archive_hub_bench_after "$BIN" bench/policy.toml)
  rm -f "$OUT"/before_*.txt "$OUT"/after_*.txt
  for round in 1 2; do
    BENCH_KEY=$key_before SERVER=$BASELINE_BIN BATCH=1 load "before_r$round" \
      ARCHIVE_HUB_HUB__URL="${ADMIN_URL%/*}/archive_hub_bench_before"
    BENCH_KEY=$key_after SERVER=$BIN BATCH=1 load "after_r$round" \
      ARCHIVE_HUB_HUB__URL="${ADMIN_URL%/*}/archive_hub_bench_after"
  done
  summary before_
  summary after_
  exit 0
fi

load policy_audit_off ARCHIVE_HUB_POLICY__ENABLED=false ARCHIVE_HUB_AUDIT__ENABLED=false
load policy_audit_on

# The population screening job over the whole population, with its peak memory.
echo "== archive-hub screen"
/usr/bin/time -v "$BIN" screen 2> "$OUT/screen_time.txt" | tee "$OUT/screen.txt"
grep -E "Maximum resident|Elapsed" "$OUT/screen_time.txt" | tee -a "$OUT/screen.txt"

summary policy_audit_
