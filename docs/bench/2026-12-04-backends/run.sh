#!/bin/sh
# Front door + executor overhead against the fake backend directly (FrontDoorBench), with the load
# average before and after each run. Run from the repository root on a quiet machine:
#   docs/bench/2026-12-04-backends/run.sh [clients seconds rounds tokens gap-ms]   (default 500 15 2 16 100)
# One benchmark at a time: it measures CPU share as much as anything on a small machine.
set -e
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
./mvnw -B -o -q -pl scheduler-engine test-compile
./mvnw -B -o -q -pl scheduler-engine dependency:build-classpath -Dmdep.outputFile=/tmp/fdb-cp.txt -Dmdep.includeScope=test
echo "start $(date -u +%FT%TZ) $(git rev-parse --short HEAD) loadavg $(cat /proc/loadavg)"
java -Xmx1g -cp scheduler-engine/target/classes:scheduler-engine/target/test-classes:$(cat /tmp/fdb-cp.txt) \
    scheduler-engine/src/bench/java/FrontDoorBench.java ${1:-500} ${2:-15} ${3:-2} ${4:-16} ${5:-100}
echo "end $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg)"
