#!/bin/sh
# The shared queue's command mix per task (what the enqueue, claim and acknowledge scripts run for
# one task; the batch-wide INCRBY and HINCRBYs, one per 100 tasks, are left out; a ZADD, ZREM or SADD
# the scripts run once for a batch counts here once per task), each command pipelined (-P 16) by redis-benchmark against the same server. Prints each
# command's rate and the per-task rate of the whole mix: 1 / sum(1 / rate).
# usage: redis-benchmark-mix.sh PORT [N]
PORT=${1:-6399}
N=${2:-200000}
B="redis-benchmark -p $PORT -n $N -r 1000000 -P 16 -c 4 -q"
SPEC='{"task_id":"t1","model":"llama-2-7b","input":"hello","priority":5,"max_tokens":16}'
run() { $B "$@" | tr '\r' '\n' | grep -o '[0-9.]* requests per second' | tail -1 | cut -d' ' -f1; }
total=0
for cmd in \
  "SET qd:{b}:i:__rand_int__ 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef NX PX 600000 GET" \
  "EXISTS qd:{b}:t:__rand_int__" \
  "HSET qd:{b}:t:__rand_int__ spec $SPEC prio 5 tier 1 seq 1 score 5497558138881 state waiting attempts 0 deliveries 0 hash 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
  "ZADD qd:{b}:w:1 __rand_int__ t__rand_int__" \
  "ZPOPMIN qd:{b}:w:1 1" \
  "HMGET qd:{b}:t:__rand_int__ spec attempts deliveries" \
  "HSET qd:{b}:t:__rand_int__ state leased node n0 token 1 deliveries 1" \
  "ZADD qd:{b}:leases __rand_int__ t__rand_int__" \
  "SADD qd:{b}:n:n0 t__rand_int__" \
  "HMGET qd:{b}:t:__rand_int__ state node tier" \
  "ZREM qd:{b}:leases t__rand_int__" \
  "SREM qd:{b}:n:n0 t__rand_int__" \
  "HSET qd:{b}:t:__rand_int__ state succeeded detail x finished_by n0" \
  "PEXPIRE qd:{b}:t:__rand_int__ 600000" ; do
  r=$(run $cmd)
  echo "$r  $cmd" | cut -c1-100
  total=$(echo "$total + 1 / $r" | bc -l)
done
echo "per-task mix: $(echo "1 / $total" | bc -l | cut -d. -f1) tasks/s"
