#!/usr/bin/env bash
# `person` throughput with veterans affairs read through its own Federation subgraph
# (the workspace's `veterans-subgraph`, over the same veterans tables) versus read with
# SQL, on the seeded PostgreSQL benchmark database; policy and audit on; wrk, both
# set-ups alternated twice so that drift on a noisy machine hits both alike.
#
#   bench/remote.sh                          # 1M persons (seeded first when missing), 20 s steps
#   PERSONS=100000 DURATION=10s bench/remote.sh
#
# Needs the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
# installs wrk from Debian when missing. Results go to bench/out/remote_*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

PERSONS=${PERSONS:-1000000}
SEED=${SEED:-2026}
DURATION=${DURATION:-20s}
PORT=${PORT:-18088}
VPORT=${VPORT:-18089}
ADMIN_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
DB=archive_hub_bench
BENCH_URL="${ADMIN_URL%/*}/$DB"
OUT=bench/out
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi
cargo build --release --quiet -p archive-hub -p veterans-subgraph
BIN=${CARGO_TARGET_DIR:-target}/release/archive-hub
VBIN=${CARGO_TARGET_DIR:-target}/release/veterans-subgraph

export DATABASE_URL="$BENCH_URL"
export ARCHIVE_HUB_LOG__FILTER=warn

if ! psql "$ADMIN_URL" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  psql "$ADMIN_URL" -q -c "CREATE DATABASE $DB"
  echo "== seeding $PERSONS persons into PostgreSQL"
  $BIN seed --persons "$PERSONS" --seed "$SEED" | tail -3
  psql "$BENCH_URL" -q -c "VACUUM ANALYZE" -c "CHECKPOINT"
fi
$BIN sample-ids --persons "$PERSONS" --seed "$SEED" --count 20000 > "$OUT/ids.txt"
$BIN policy apply bench/policy.toml > "$OUT/policy.txt"
if ! grep -q bench-full "$OUT/policy.txt"; then
  id=$($BIN consumer list | awk '$2 == "bench-full" { print $1 }')
  $BIN consumer rotate "$id" | awk '{ print "  bench-full", $NF }' > "$OUT/policy.txt"
fi
export BENCH_KEY=$(awk '$1 == "bench-full" { print $2 }' "$OUT/policy.txt")
export BENCH_IDS="$OUT/ids.txt"
URL="http://127.0.0.1:$PORT/graphql"

# Veterans affairs' subgraph over the benchmark's veterans tables, for the whole run.
$VBIN --database-url "$BENCH_URL" --listen "127.0.0.1:$VPORT" 2>"$OUT/remote_subgraph.log" &
subgraph=$!
trap 'kill $subgraph 2>/dev/null || true' EXIT

load() {
  local label=$1; shift
  env "$@" ARCHIVE_HUB_SERVER__PORT=$PORT ARCHIVE_HUB_SOURCES__HRSS_TRAINING__MAX_CONNECTIONS=16 \
    "$BIN" serve 2>"$OUT/remote_server_$label.log" &
  local server=$!
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break
    sleep 0.2
  done
  wrk -t2 -c16 -d5s -s bench/person.lua "$URL" >/dev/null   # warm-up
  for c in 16 64; do
    echo "== [$label] person, full archive, concurrency $c"
    wrk -t2 -c"$c" -d"$DURATION" --latency -s bench/person.lua "$URL" | tee "$OUT/remote_${label}_person_c$c.txt"
  done
  echo "== [$label] persons, 1,000 IDs per request, concurrency 4"
  wrk -t2 -c4 -d"$DURATION" --latency -s bench/persons.lua "$URL" | tee "$OUT/remote_${label}_persons_1000.txt"
  kill $server; wait $server 2>/dev/null || true
}

rm -f "$OUT"/remote_sql_*.txt "$OUT"/remote_subgraph_*.txt
for round in 1 2; do
  load "sql_r$round"
  load "subgraph_r$round" ARCHIVE_HUB_SOURCES__VETERANS__BACKEND=subgraph \
    ARCHIVE_HUB_SOURCES__VETERANS__SUBGRAPH__URL="http://127.0.0.1:$VPORT/graphql"
done

echo "== summary (requests/s, p50, p99)"
for f in "$OUT"/remote_sql_*.txt "$OUT"/remote_subgraph_*.txt; do
  printf '%-40s %10s  p50 %-9s p99 %s\n' "$(basename "$f" .txt)" \
    "$(awk '/Requests\/sec/ {print $2}' "$f")" "$(awk '$1 == "50%" {print $2}' "$f")" "$(awk '$1 == "99%" {print $2}' "$f")"
done
