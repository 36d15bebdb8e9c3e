#!/bin/bash
# Builds: git apply docs/bench/2026-12-07c-session/async-answer.patch on a1d581d, then ./mvnw -q -DskipTests -pl scheduler-engine package; JAR=that jar
# usage: ab.sh rounds ; alternates sync/async on ${JAR:?the jar built with async-answer.patch}
export JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
S=/work/main/scheduler-engine/src/bench/wrk/intake-bars.sh
for i in $(seq 1 $1); do
  for mode in ${ORDER:-async sync}; do
    if [ $mode = async ]; then export JAVA_TOOL_OPTIONS="-Dqd.async=true $EXTRA"; else export JAVA_TOOL_OPTIONS="$EXTRA"; fi
    echo "== $mode $(date +%T)"
    $S 1 15s ${JAR:-${JAR:?the jar built with async-answer.patch}} 2>&1 | grep -E "round|load average"
  done
done
