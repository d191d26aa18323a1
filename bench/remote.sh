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

VPORT=${VPORT:-18089}
source bench/lib.sh
bench_tools archive-hub veterans-subgraph
VBIN=${CARGO_TARGET_DIR:-target}/release/veterans-subgraph
bench_seeded
bench_key
export DATABASE_URL="$BENCH_URL"
URL="http://127.0.0.1:$PORT/graphql"

# Veterans affairs' subgraph over the benchmark's veterans tables, for the whole run.
$VBIN --database-url "$BENCH_URL" --listen "127.0.0.1:$VPORT" 2>"$OUT/remote_subgraph.log" &
subgraph=$!
trap 'kill $subgraph 2>/dev/null || true' EXIT

load() {
  local label=$1; shift
  # Cache off: a cached veterans section would hide which backend read it.
  env ARCHIVE_HUB_CACHE__ENABLED=false "$@" ARCHIVE_HUB_SERVER__PORT=$PORT "$BIN" serve 2>"$OUT/remote_server_$label.log" &
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
