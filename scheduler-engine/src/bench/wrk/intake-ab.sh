#!/usr/bin/env bash
# A/B of the durable REST intake: two shaded jars ($JARS/engine-old.jar and $JARS/engine-new.jar,
# JARS defaults to /tmp), alternating in the same run, each on a fresh state directory; prints
# requests/s, p50/p99 and the server's CPU per request for the trivial handler and for POST /v1/tasks.
# Usage: scheduler-engine/src/bench/wrk/intake-ab.sh [rounds] [duration] [extra serve options]
# Needs a JDK 21+ as java (or JAVA=/path/to/java) and wrk (apt-get install -y wrk).
lua="$(cd "$(dirname "$0")" && pwd)/intake.lua"
rounds=${1:-2}; dur=${2:-15s}; opts=${3:-}
for r in $(seq 1 $rounds); do
for v in old new; do
  d=$(mktemp -d); port=$((18200 + RANDOM % 500))
  # another server on the port would answer the health check and take the load
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((18200 + RANDOM % 500)); done
  XDG_DATA_HOME=$d "${JAVA:-java}" -XX:+ExitOnOutOfMemoryError -jar ${JARS:-/tmp}/engine-$v.jar serve --port $port --threads=virtual --max-queued 10000000 --bench-baseline $opts > /dev/null 2>&1 &
  pid=$!
  for i in $(seq 1 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.2; done
  curl -sf http://127.0.0.1:$port/healthz >/dev/null && kill -0 $pid 2>/dev/null || { echo "server ($v) did not start: is java a JDK 21+?" >&2; exit 1; }
  wrk -t1 -c16 -d5s -s $lua http://127.0.0.1:$port/bench/noop >/dev/null; wrk -t1 -c16 -d5s -s $lua http://127.0.0.1:$port/v1/tasks >/dev/null
  for ep in bench/noop v1/tasks; do
    b=$(awk '{print $14 + $15}' /proc/$pid/stat)
    out=$(wrk -t1 -c16 -d$dur --latency -s $lua http://127.0.0.1:$port/$ep)
    a=$(awk '{print $14 + $15}' /proc/$pid/stat)
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    echo "$r $v $ep $(echo "$out" | awk '/Requests\/sec/ {print $2}') req/s p50 $(echo "$out" | awk '$1=="50%" {print $2}') p99 $(echo "$out" | awk '$1=="99%" {print $2}') cpu/req $(awk -v t=$((a-b)) -v n=$n -v hz=$(getconf CLK_TCK) 'BEGIN{printf "%.1f us", t/hz*1e6/n}') load $(cut -d' ' -f1 /proc/loadavg)"
  done
  kill -TERM $pid; wait $pid 2>/dev/null; rm -rf $d
done; done
