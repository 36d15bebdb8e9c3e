#!/usr/bin/env bash
# The three durable-intake bars of docs/performance.md, measured quietly on one server: the trivial
# handler (POST /bench/noop) and the durable intake (POST /v1/tasks) alternating, 16 connections,
# default JVM settings (G1), state on a fresh data directory. Prints, per round and endpoint,
# requests/s, p50/p99, the server's CPU per request (user + system from /proc, which does not
# depend on what else the machine runs) and the load average; then the bars: intake >= 20,000
# tasks/s, intake >= 0.6x the trivial handler of the same round, intake p99 < 10 ms.
# wrk's percentiles are corrected for coordinated omission: its p99 counts the time the whole
# server stands still (docs/performance.md; BlockingIntake.java gives the uncorrected view).
# Usage: scheduler-engine/src/bench/wrk/intake-bars.sh [rounds] [duration] [jar] [extra serve options]
# Needs a JDK 21+ as java (or JAVA=/path/to/java), the shaded jar
# (./mvnw -B -pl scheduler-engine package -DskipTests) and wrk (apt-get install -y wrk).
# Run it alone: any other load on the machine shows in requests/s and p99 (never in CPU per request).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rounds=${1:-3}; dur=${2:-15s}; jar=${3:-$here/../../../target/queuedeck-engine.jar}; opts=${4:-}
port=${PORT:-$((18200 + RANDOM % 500))}
# Another server on the port would answer the health check and take the load: refuse.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use; set PORT" >&2; exit 1; fi
data=$(mktemp -d)
# request threads: virtual (the default on JDK 24+) unless the extra options choose
threads=--threads=virtual; case " $opts " in *" --threads"*) threads= ;; esac
XDG_DATA_HOME=$data "${JAVA:-java}" -XX:+ExitOnOutOfMemoryError -jar "$jar" serve --port "$port" $threads \
  --max-queued 10000000 --bench-baseline $opts > "$data/serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && kill -0 "$server" 2>/dev/null \
  || { echo "server did not start (see $data/serve.log): is java a JDK 21+?" >&2; exit 1; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $("${JAVA:-java}" -version 2>&1 | head -1)"
# Warm-up: both paths compiled before anything is measured.
for ep in bench/noop v1/tasks bench/noop v1/tasks; do
  wrk -t1 -c16 -d5s -s "$here/intake.lua" "http://127.0.0.1:$port/$ep" >/dev/null
done
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
met=0
for r in $(seq 1 "$rounds"); do
  declare -A rate p99 cost
  for ep in bench/noop v1/tasks; do
    before=$(cpu)
    out=$(wrk -t1 -c16 -d"$dur" --latency -s "$here/intake.lua" "http://127.0.0.1:$port/$ep")
    after=$(cpu)
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    rate[$ep]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99[$ep]=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) v=v/1000; else if (v ~ /ms$/) v=v+0; else if (v ~ /s$/) v=v*1000; print v}')
    cost[$ep]=$(awk -v t=$((after - before)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
    echo "round $r $ep: ${rate[$ep]} req/s, p50 $p50, p99 ${p99[$ep]} ms, CPU ${cost[$ep]} us/request, load $(cut -d' ' -f1 /proc/loadavg)"
  done
  verdict=$(awk -v i="${rate[v1/tasks]}" -v b="${rate[bench/noop]}" -v p="${p99[v1/tasks]}" -v ci="${cost[v1/tasks]}" -v cb="${cost[bench/noop]}" 'BEGIN {
    r = i / b; a = (i >= 20000) ? "met" : "not met"; c = (r >= 0.6) ? "met" : "not met"; d = (p < 10) ? "met" : "not met"
    ok = (a == "met") + (c == "met") + (d == "met")
    printf("%d round: intake %.0f tasks/s (>= 20,000: %s), %.2fx the trivial handler (>= 0.6: %s), p99 %.2f ms (< 10: %s); CPU per request %.2fx the trivial handler\n", ok, i, a, r, c, p, d, ci / cb) }')
  echo "round $r bars: ${verdict#* round: }"
  if [ "${verdict%% *}" = 3 ]; then met=$((met + 1)); fi
done
echo "rounds with all three bars met: $met of $rounds"
curl -s "http://127.0.0.1:$port/metrics" | grep -E '^queuedeck_store_(commits|writes|commit_seconds)_total' || true
