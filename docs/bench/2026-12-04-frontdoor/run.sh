#!/bin/sh
# Front door + executor overhead against the fake backend directly (FrontDoorBench, decision 0060):
# req/s, TTFT and end p50/p99, process CPU per request and the p50 of each phase of a request, per
# arm, with the load average. Run from the repository root on a quiet machine (load average < 1):
#   docs/bench/2026-12-04-frontdoor/run.sh [clients seconds rounds tokens gap-ms]   (default 500 15 2 16 100)
# BASE_CLASSES=/path/to/other/classes runs the same benchmark against other engine classes (add
# FDB_OPTS=-Dfdb.fastFallback=true for commits before 0060, whose OkHttp client raced connects).
# One benchmark at a time; each run takes about (rounds + 1) x 2 x (seconds + 3) s.
set -e
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
./mvnw -B -o -q -pl scheduler-engine test-compile
./mvnw -B -o -q -pl scheduler-engine dependency:build-classpath -Dmdep.outputFile=/tmp/fdb-cp.txt -Dmdep.includeScope=test
CLASSES=${BASE_CLASSES:-scheduler-engine/target/classes}
echo "start $(date -u +%FT%TZ) $(git rev-parse --short HEAD) classes $CLASSES loadavg $(cat /proc/loadavg)"
java -Xmx1g $FDB_OPTS -cp $CLASSES:scheduler-engine/target/test-classes:$(cat /tmp/fdb-cp.txt) \
    scheduler-engine/src/bench/java/FrontDoorBench.java ${1:-500} ${2:-15} ${3:-2} ${4:-16} ${5:-100}
echo "end $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"
