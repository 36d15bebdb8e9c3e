#!/bin/sh
# Front door + executor overhead with the load client, the fake backend and each QueueDeck server in
# their own processes (FrontDoorProcessBench, decision 0084): per round, req/s, TTFT and end p50/p99,
# and each server's own CPU per request, alternating the fake directly, this tree's server and (with
# BASE_CLASSES) a baseline build's server, with the load average. Run from the repository root:
#   docs/bench/2026-12-04-frontdoor-processes/run.sh [clients seconds rounds tokens gap-ms]   (default 500 15 3 16 100)
# BASE_CLASSES=/path/to/other/scheduler-engine/target/classes adds the baseline server as a third target
# (BASE_FIRST=1 puts it before this tree's server in each round).
# The builds run under nice 19; the benchmark's processes at normal priority (NICE=19 to change that).
# Each run takes about (rounds + 1) x targets x (seconds + 3) s.
set -e
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
CLIENTS=${1:-500}; SECONDS_=${2:-15}; ROUNDS=${3:-3}; TOKENS=${4:-16}; GAP=${5:-100}
nice -n 19 ./mvnw -B -o -q -pl scheduler-engine test-compile
CPARGS="-pl scheduler-engine dependency:build-classpath -Dmdep.outputFile=/tmp/fdpb-cp.txt -Dmdep.includeScope=test"
nice -n 19 ./mvnw -B -o -q $CPARGS >/dev/null 2>&1 || nice -n 19 ./mvnw -B -q $CPARGS # online once, for the plugin
CP=$(cat /tmp/fdpb-cp.txt)
OUT=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null || true; done; rm -rf $OUT' EXIT INT TERM
# a copy of the classes under test (the tree may be rebuilt during the run) and the benchmark compiled once
cp -r scheduler-engine/target/classes $OUT/classes
cp -r scheduler-engine/target/test-classes $OUT/test-classes
nice -n 19 javac -d $OUT/bench -cp $OUT/classes:$OUT/test-classes:$CP scheduler-engine/src/bench/java/FrontDoorProcessBench.java
RUN="nice -n ${NICE:-0} java"
# PIN=1: the servers on CPU 1, the load client and the fake backend on CPU 0 (each side a core of its own,
# as a front door and its clients run on different hosts); without it all share both cores.
if [ -n "$PIN" ]; then HARNESS="taskset -c 0 $RUN"; SERVER="taskset -c 1 $RUN"; else HARNESS="$RUN"; SERVER="$RUN"; fi
BENCH="FrontDoorProcessBench"
ready() { # waits for "ready URL" in $1, prints URL
    i=0; while ! grep -q '^ready ' $1 2>/dev/null; do i=$((i+1)); [ $i -gt 3000 ] && { cat $1 >&2; exit 1; }; sleep 0.1; done
    sed -n 's/^ready //p' $1
}
$HARNESS -Xmx512m -cp $OUT/bench:$OUT/classes:$OUT/test-classes:$CP $BENCH fake $TOKENS $GAP $((CLIENTS * 8)) > $OUT/fake 2>&1 &
FAKE_PID=$!; PIDS="$PIDS $FAKE_PID"
FAKE_URL=$(ready $OUT/fake)
$SERVER -Xmx1g -cp $OUT/bench:$OUT/classes:$CP $BENCH server $FAKE_URL $((CLIENTS * 2)) > $OUT/new 2>&1 &
NEW_PID=$!; PIDS="$PIDS $NEW_PID"
NEW="queuedeck=$(ready $OUT/new),$NEW_PID"
TARGETS="direct=$FAKE_URL,$FAKE_PID $NEW"
if [ -n "$BASE_CLASSES" ]; then
    $SERVER -Xmx1g -cp $OUT/bench:$BASE_CLASSES:$CP $BENCH server $FAKE_URL $((CLIENTS * 2)) > $OUT/base 2>&1 &
    BASE_PID=$!; PIDS="$PIDS $BASE_PID"
    BASE="baseline=$(ready $OUT/base),$BASE_PID"
    # BASE_FIRST=1: the baseline right after the direct arm, so neither server always follows the other
    if [ -n "$BASE_FIRST" ]; then TARGETS="direct=$FAKE_URL,$FAKE_PID $BASE $NEW"; else TARGETS="$TARGETS $BASE"; fi
fi
echo "start $(date -u +%FT%TZ) $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+changes') base ${BASE_CLASSES:-none} pinned ${PIN:-no} loadavg $(cat /proc/loadavg)"
$HARNESS -Xmx1g -cp $OUT/bench:$OUT/classes:$CP $BENCH client $CLIENTS $SECONDS_ $ROUNDS $FAKE_PID $TARGETS
echo "end $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"
