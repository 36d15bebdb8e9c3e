#!/bin/bash
# The console's start, phase by phase (ms from the JVM's start, process and thread CPU), N times:
# the README's command on an empty data directory, Xvfb 1600x1000. Its class data archive lies next
# to the jar (JAR minus .jar plus .jsa): the first run creates it at exit (CDS=fresh: a new one each run,
# to time the first start; CDS=off: the command without it, decision 0073's baseline).
# usage (from the repository root, after packaging): docs/bench/2026-12-04-quiet/first-frame.sh [JAR] [N] [EXTRA CONSOLE ARGS...]
# e.g. `first-frame.sh app/target/queuedeck-console.jar 3 --bench-ui 20s` for the UI benchmark's start.
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}; export PATH=$JAVA_HOME/bin:$PATH
JAR=$(realpath "${1:-app/target/queuedeck-console.jar}"); N=${2:-3}; shift 2; D=${DISPLAY_NO:-:78}
Xvfb $D -screen 0 1600x1000x24 >/dev/null 2>&1 & XV=$!; sleep 1; DISPLAY=$D openbox >/dev/null 2>&1 & OB=$!; sleep 1
cd /tmp
for i in $(seq 1 $N); do
  echo "== run $i $(date -u +%H:%M:%S) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
  case ${CDS:-on} in
    on) SHARE="-XX:SharedArchiveFile=${JAR%.jar}.jsa -XX:+AutoCreateSharedArchive" ;;
    fresh) SHARE="-XX:SharedArchiveFile=$(mktemp -u --suffix=.jsa) -XX:+AutoCreateSharedArchive" ;;
    off) SHARE="" ;;
  esac
  LOG=$(mktemp); DISPLAY=$D XDG_DATA_HOME=$(mktemp -d) java $SHARE -XX:+ExitOnOutOfMemoryError -XX:+ExplicitGCInvokesConcurrent -Dqueuedeck.startTimes=true \
      -jar $JAR "$@" > $LOG 2>&1 & C=$!
  for t in $(seq 1 600); do grep -q "first painted frame" $LOG && break; kill -0 $C 2>/dev/null || break; sleep 0.1; done
  grep -E "^start |startup to first frame" $LOG
  kill $C 2>/dev/null; wait $C 2>/dev/null; rm -f $LOG; sleep 2
done
kill $OB $XV
