#!/usr/bin/env bash
# One durable server, the intake measured two ways in alternating rounds: wrk (its percentiles
# corrected for coordinated omission) and BlockingIntake.java (only the requests it sent), 16
# connections each; the young-collection pauses of each round from the server's GC log.
# Usage: docs/bench/2026-12-06f-session/two-views.sh [rounds] [seconds] [jar]   (JAVA: a JDK 25 java)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$here/../../.."
rounds=${1:-2}; secs=${2:-10}; jar=${3:-$root/scheduler-engine/target/queuedeck-engine.jar}
java=${JAVA:-java}; port=${PORT:-$((18700 + RANDOM % 200))}
data=$(mktemp -d); gc="$data/gc.log"
XDG_DATA_HOME=$data "$java" -XX:+ExitOnOutOfMemoryError -Xlog:gc:file="$gc" -jar "$jar" serve --port "$port" \
  --threads=virtual --max-queued 10000000 --bench-baseline > "$data/serve.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
export INTAKE_LUA="$root/scheduler-engine/src/bench/wrk/intake.lua"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $("$java" -version 2>&1 | head -1)"
for ep in bench/noop v1/tasks; do wrk -t1 -c16 -d5s -s "$INTAKE_LUA" "http://127.0.0.1:$port/$ep" >/dev/null; done
pauses() { # young pauses since line $1 of the GC log: count and total ms
  awk -v from="$1" 'NR > from && /Pause Young/ {n++; ms += $NF + 0; if ($NF + 0 > max) max = $NF + 0}
    END {printf "%d young pauses, %.0f ms in all, longest %.1f ms", n, ms, max}' "$gc"; }
for r in $(seq 1 "$rounds"); do
  from=$(wc -l < "$gc"); out=$(wrk -t1 -c16 -d"${secs}s" -s "$here/percentiles.lua" "http://127.0.0.1:$port/v1/tasks" | tail -1)
  echo "round $r wrk:      $out; $(pauses "$from")"
  from=$(wc -l < "$gc"); out=$("$java" "$root/scheduler-engine/src/bench/java/BlockingIntake.java" "$port" 16 "$secs")
  echo "round $r blocking: $out; $(pauses "$from")"
done
echo "queued at the end: $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^queuedeck_queued_tasks / {print $2}')"
