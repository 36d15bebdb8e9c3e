#!/usr/bin/env bash
# Live heap per task queued over REST: a durable `serve` on a fresh data directory with dispatch
# paused on every tier, `wrk` submitting small tasks (intake.lua) for SECONDS, and `jmap -histo:live`
# before and after; prints bytes per queued task and the classes that grew, per queued task.
# Usage: scheduler-engine/src/bench/wrk/queued-heap.sh JAR [PORT] [SECONDS]   (needs a JDK 21+ as java, wrk)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar=$1; port=${2:-18400}; secs=${3:-20}
data=$(mktemp -d)
XDG_DATA_HOME=$data java -XX:+ExitOnOutOfMemoryError -jar "$jar" serve --port "$port" --threads=virtual \
  --max-queued 10000000 > "$data/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf -XPOST -H "X-QueueDeck-Client: queued-heap" "http://127.0.0.1:$port/v1/queues/all:pause" >/dev/null
queued() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^queuedeck_queue_depth_by_level/ {s += $2} END {print s + 0}'; }
wrk -t1 -c16 -d3s -s "$here/intake.lua" "http://127.0.0.1:$port/bench/noop" >/dev/null   # the HTTP path warmed up
jmap -histo:live $server > "$data/before"; q0=$(queued)
wrk -t1 -c16 -d"${secs}s" -s "$here/intake.lua" "http://127.0.0.1:$port/v1/tasks" >/dev/null
jmap -histo:live $server > "$data/after"; q1=$(queued)
awk -v n=$((q1 - q0)) -v jar="$jar" '
  FNR == 1 { file++ }
  $1 ~ /:$/ { if (file == 1) { b[$4] = $3; c[$4] = $2 } else { a[$4] = $3; d[$4] = $2 } }
  $1 == "Total" { t[file] = $3 }
  END {
    printf "%s: %d tasks queued, %.0f B of live heap per queued task\n", jar, n, (t[2] - t[1]) / n; fflush()
    for (k in a) { grow = (a[k] - b[k]) / n; if (grow >= 8) printf "  %7.1f B %5.2f objects  %s\n", grow, (d[k] - c[k]) / n, k | "sort -rn" }
    close("sort -rn")
  }' "$data/before" "$data/after"
