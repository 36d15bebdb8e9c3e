#!/usr/bin/env bash
# Intake benchmark: wrk (Debian package) POSTing tasks over loopback keep-alive connections to
# POST /v1/tasks, and the same load to POST /bench/noop on the same server in the same run.
# Usage: scheduler-engine/src/bench/wrk/run-intake.sh [duration] [connections] [threads]
# Needs a JDK 21+ as java (or JAVA=/path/to/java), ./mvnw -B -pl scheduler-engine package -DskipTests, and apt-get install -y wrk.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/../../../target/queuedeck-engine.jar"
duration="${1:-20s}" connections="${2:-64}" threads="${3:-2}" port="${PORT:-18090}"
"${JAVA:-java}" -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$jar" serve --port "$port" --bench-baseline --max-queued 10000000 ${SERVE_OPTS:-} &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "server did not start" >&2; exit 1; }
# Server CPU time (user+system, in clock ticks) from /proc: CPU per request does not depend on
# what else the machine runs, unlike requests/s on a shared 2-core box.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
run() {
  local before after out requests
  before=$(cpu)
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/intake.lua" "http://127.0.0.1:$port$1")
  after=$(cpu)
  echo "$out"
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  awk -v t=$((after - before)) -v r="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "Server CPU: %.1f s for %d requests = %.1f us/request\n", t / hz, r, t / hz * 1e6 / r }'
}
echo "== warm-up (5 s on each endpoint)"; wrk -t"$threads" -c"$connections" -d5s -s "$here/intake.lua" "http://127.0.0.1:$port/bench/noop" >/dev/null
wrk -t"$threads" -c"$connections" -d5s -s "$here/intake.lua" "http://127.0.0.1:$port/v1/tasks" >/dev/null
echo "== POST /bench/noop (trivial handler)"; run /bench/noop
echo "== POST /v1/tasks (intake)"; run /v1/tasks
echo "== engine after the run"; curl -s "http://127.0.0.1:$port/v1/queues"; echo
