#!/usr/bin/env bash
# ALB data-plane benchmark: vpclab alb vs HAProxy vs nginx (reverse proxy),
# plus the backends direct as the physical limit. Same machine, same nginx
# `return 200` backends (1 KiB body; /1m: a 1 MiB file), same client (wrk,
# no pipelining), each proxy pinned to the same core, configured alike
# (round robin, upstream keep-alive, X-Forwarded-For added, no access log,
# one thread/worker). Prints Markdown tables (docs/performance.md, ALB
# section) and the exact client command of every row.
#
# Rows (client side; wrk -t1 unless said):
#   ka64        keep-alive, 64 connections, 1 KiB
#   close64     a new connection per request (Connection: close), 64 at a time
#   http10      HTTP/1.0 requests without keep-alive (bench/alb/http10.lua), 64 at a time
#   close-up    Connection: close to backends that close too (keepalive_timeout 0):
#               connections per second with the upstream not kept alive
#   ka1000      keep-alive, 1,000 connections
#   ka10000     keep-alive, 10,000 connections (the fd limit is raised for it)
#   1mib        keep-alive, 16 connections, 1 MiB bodies
#   workers     vpclab --workers 1 and 2 on both CPUs (ka64 and close64): the
#               client competes for the same 2 cores, a figure, no goal
#
# Each row is measured for every target back to back (all proxies run from
# the start), so the ratios of a row come from one stretch of time.
#
# Each row is measured ROUNDS times (all targets per round, each round
# starting with the next target); the table shows
# each target's median round (its ratios: medians over medians) and every
# round's req/s, so the spread is in view.
#
# Usage: bench/alb/run.sh [BUILD_DIR] [SECONDS]      (defaults: build, 8)
# Env:   PROXY_CPU (0), LOAD_CPU (1), IDLE_CONNS (10000), ROWS (all of the above), ROUNDS (3)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
DURATION=${2:-8}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
IDLE_CONNS=${IDLE_CONNS:-10000}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-ka64 close64 http10 close-up ka1000 ka10000 1mib workers}
VPCLAB=$BUILD/vpclab
[ -x "$VPCLAB" ] || { echo "no $VPCLAB: build first (cmake --build $BUILD --target vpclab)" >&2; exit 2; }
for t in nginx haproxy wrk taskset python3 curl; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t (scripts/setup installs it)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

# 10,000 keep-alive clients need 10,000 fds in wrk and 20,000+ in a proxy
# (client + target side): raise the hard limit when allowed, else use what
# there is (the header line says which; HAProxy's maxconn is half of it).
FDS=65536
ulimit -Hn $FDS 2>/dev/null || FDS=$(ulimit -Hn)
ulimit -n "$FDS"
MAXCONN=$(( FDS / 2 - 100 ))
[ "$MAXCONN" -gt 20000 ] && MAXCONN=20000
HAPROXY_IDLE=$(( IDLE_CONNS < MAXCONN ? IDLE_CONNS : MAXCONN ))

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bench_scratch albbench

B1=18081 B2=18082 B3=18083 B4=18084   # B3/B4 close every connection (keepalive_timeout 0)
P_VPCLAB=18090 P_HAPROXY=18091 P_NGINX=18092
Q_VPCLAB=18093 Q_HAPROXY=18094 Q_NGINX=18095   # the same proxies in front of B3/B4
BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')
head -c 1048576 /dev/zero | tr '\0' 'y' > "$WORK/1m"

# --- backends: nginx workers on the load core --------------------------------
for port in $B1 $B2 $B3 $B4; do
  ka="keepalive_requests 1000000; keepalive_timeout 120s;"
  [ $port = $B3 ] || [ $port = $B4 ] && ka="keepalive_timeout 0;"
  mkdir -p "$WORK/b$port"
  cat > "$WORK/b$port/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $FDS;
daemon off;
master_process off;
error_log $WORK/b$port/error.log crit;
pid $WORK/b$port/nginx.pid;
events { worker_connections 30000; }
http {
  access_log off;
  $ka
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type text/plain; return 200 "$BODY"; }
    location = /1m { default_type application/octet-stream; alias $WORK/1m; }
  }
}
EOF
  taskset -c "$LOAD_CPU" "$NGINX" -p "$WORK/b$port" -c "$WORK/b$port/nginx.conf" &
  PIDS+=($!)
done

# --- proxies -------------------------------------------------------------------
cat > "$WORK/vpclab.json" <<EOF
{
  "name": "bench", "id": "0123456789abcdef",
  "listeners": [{"port": $P_VPCLAB, "default_actions": [{"type": "forward", "target_group": "backends"}]},
                {"port": $Q_VPCLAB, "default_actions": [{"type": "forward", "target_group": "closing"}]}],
  "target_groups": [{
    "name": "backends", "port": $B1,
    "targets": [{"id": "b1", "address": "127.0.0.1", "port": $B1}, {"id": "b2", "address": "127.0.0.1", "port": $B2}]
  }, {
    "name": "closing", "port": $B3,
    "targets": [{"id": "b3", "address": "127.0.0.1", "port": $B3}, {"id": "b4", "address": "127.0.0.1", "port": $B4}]
  }]
}
EOF
cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn $MAXCONN
  ulimit-n $FDS
defaults
  mode http
  maxconn $MAXCONN
  option forwardfor
  option http-keep-alive
  http-reuse always
  timeout connect 10s
  timeout client 60s
  timeout server 60s
  timeout http-keep-alive 60s
frontend fe
  bind 127.0.0.1:$P_HAPROXY
  default_backend be
frontend fe2
  bind 127.0.0.1:$Q_HAPROXY
  default_backend be2
backend be
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
backend be2
  balance roundrobin
  server b3 127.0.0.1:$B3
  server b4 127.0.0.1:$B4
EOF
mkdir -p "$WORK/px"
cat > "$WORK/px/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $FDS;
daemon off;
master_process off;
error_log $WORK/px/error.log crit;
pid $WORK/px/nginx.pid;
events { worker_connections 30000; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  upstream be { server 127.0.0.1:$B1; server 127.0.0.1:$B2; keepalive 64; }
  upstream be2 { server 127.0.0.1:$B3; server 127.0.0.1:$B4; keepalive 64; }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host \$host;
  proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
  server {
    listen 127.0.0.1:$P_NGINX backlog=4096;
    location / { proxy_pass http://be; }
  }
  server {
    listen 127.0.0.1:$Q_NGINX backlog=4096;
    location / { proxy_pass http://be2; }
  }
}
EOF

start_proxy() {  # name [cpus] [vpclab args...] -> sets PROXY_PID
  local name=$1 cpus=${2:-$PROXY_CPU}
  shift 2 || shift $#
  case $name in
    vpclab)  taskset -c "$cpus" "$VPCLAB" alb --config "$WORK/vpclab.json" --access-log "" "$@" 2>"$WORK/vpclab.err" & ;;
    haproxy) taskset -c "$cpus" "$HAPROXY" -f "$WORK/haproxy.cfg" -db 2>"$WORK/haproxy.err" & ;;
    nginx)   taskset -c "$cpus" "$NGINX" -p "$WORK/px" -c "$WORK/px/nginx.conf" 2>"$WORK/nginx.err" & ;;
  esac
  PROXY_PID=$!
  PIDS+=($PROXY_PID)
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # every thread's
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

TICK_US=$((1000000 / $(getconf CLK_TCK)))
ROW_LINES=()
MEM_LINES=()
declare -A DIRECT_RPS HAPROXY_RPS CMDS

# The client of each row: "port-kind conns extra wrk args" (port-kind p = the
# keep-alive backends' proxy port, q = the closing backends').
row_client() {
  case $1 in
    ka64)     echo "p 64" ;;
    close64)  echo "p 64 -H 'Connection: close'" ;;
    http10)   echo "p 64 -s $ROOT/bench/alb/http10.lua" ;;
    close-up) echo "q 64 -H 'Connection: close'" ;;
    ka1000)   echo "p 1000" ;;
    ka10000)  echo "p 10000 --timeout 10s" ;;
    1mib)     echo "p 16" ;;
  esac
}

measure() {  # row label port pid [cpus for wrk]
  local row=$1 label=$2 port=$3 pid=$4 wcpu=${5:-$LOAD_CPU}
  read -r _ conns extra <<<"$(row_client "$row")"
  local path=/; [ "$row" = 1mib ] && path=/1m
  local cmd="taskset -c $wcpu wrk -t1 -c$conns -d${DURATION}s --latency $extra http://127.0.0.1:$port$path"
  local key=$row; [ "$wcpu" != "$LOAD_CPU" ] && key="workers $row"
  CMDS[$key]=${cmd//$port/PORT}
  [ "${ROUND:-1}" = 1 ] && { eval "taskset -c $wcpu wrk -t1 -c$conns -d2s $extra http://127.0.0.1:$port$path" >/dev/null 2>&1 || true; }  # warm-up
  local t0=0; [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
  local s0; s0=$(grep -E "^cpu[0-9]+ " /proc/stat)
  eval "$cmd" > "$WORK/wrk.out" 2>&1 || true
  local t1=0; [ -n "$pid" ] && t1=$(cpu_ticks "$pid")
  local s1; s1=$(grep -E "^cpu[0-9]+ " /proc/stat)
  # How busy each core was (all processes: what bounds the row).
  local busy; busy=$(paste <(echo "$s0") <(echo "$s1") | awk -v pc="cpu$PROXY_CPU" -v lc="cpu$LOAD_CPU" '{
      n = NF / 2; t = 0; for (i = 2; i <= n; i++) t += $(i + n) - $i
      idle = $(5 + n) - $5 + $(6 + n) - $6
      b[$1] = 100 * (t - idle) / t }
    END { printf "%.0f / %.0f", b[pc], b[lc] }')
  local rps p50 p99 total errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.out")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk.out")
  local cpu="-"
  [ -n "$pid" ] && cpu=$(awk -v d=$((t1 - t0)) -v n="$total" -v us="$TICK_US" 'BEGIN { printf "%.2f", d * us / n }')
  ROW_LINES+=("$row|$label|$rps|$cpu|$busy|$p50|$p99|${errs:-}")
}

# Each (row, target)'s median round, in the order first measured; every
# round's req/s appended. Sets DIRECT_RPS and HAPROXY_RPS from the medians.
median_lines() {
  local keys=() k l
  declare -A seen=()
  for l in "${ROW_LINES[@]}"; do
    IFS='|' read -r r t _ <<<"$l"; k="$r|$t"
    [ -n "${seen[$k]:-}" ] || { seen[$k]=1; keys+=("$k"); }
  done
  MEDIAN_LINES=()
  for k in "${keys[@]}"; do
    local mine=() all med
    for l in "${ROW_LINES[@]}"; do [[ "$l" == "$k|"* ]] && mine+=("$l"); done
    all=$(printf '%s\n' "${mine[@]}" | awk -F'|' '{printf "%s%.0f", (NR > 1 ? " / " : ""), $3}')
    med=$(printf '%s\n' "${mine[@]}" | sort -t'|' -k3,3 -g | awk -v n=${#mine[@]} 'NR == int((n + 1) / 2)')
    IFS='|' read -r r t rps _ <<<"$med"
    [ "$t" = "backend direct (nginx)" ] && DIRECT_RPS[$r]=$rps
    [[ "$t" == HAProxy* ]] && HAPROXY_RPS[$r]=$rps
    MEDIAN_LINES+=("$med|$all")
  done
}

# A row line with its ratios to backend-direct and HAProxy of the same row
# (computed at the end: vpclab is measured before HAProxy).
table_line() {
  local row label rps rest vd="-" vh="-"
  IFS='|' read -r row label rps rest <<<"$1"
  [ -n "${DIRECT_RPS[$row]:-}" ] && vd=$(awk -v a="$rps" -v b="${DIRECT_RPS[$row]}" 'BEGIN { printf "%.2f", a / b }')
  [ -n "${HAPROXY_RPS[$row]:-}" ] && [[ "$label" != HAProxy* ]] &&
    vh=$(awk -v a="$rps" -v b="${HAPROXY_RPS[$row]}" 'BEGIN { printf "%.2f", a / b }')
  [[ "$label" == HAProxy* ]] && vh=1.00
  [ "$label" = "backend direct (nginx)" ] && vh="-"
  local line="$row|$label|$rps|$vd|$vh|$rest"
  echo "| ${line//|/ | } |"
}

measure_idle() {  # label port pid idle
  local label=$1 port=$2 pid=$3 idle=$4 rss rss_idle per_conn held
  rss=$(rss_kb "$pid")
  python3 "$ROOT/bench/alb/idle_conns.py" 127.0.0.1 "$port" "$idle" 4 > "$WORK/idle.out" &
  local ipid=$!
  for _ in $(seq 300); do grep -q ready "$WORK/idle.out" 2>/dev/null && break; sleep 0.1; done
  sleep 0.5
  rss_idle=$(rss_kb "$pid")
  held=$(awk '{print $2}' "$WORK/idle.out")
  per_conn=$(awk -v a="$rss_idle" -v b="$rss" -v n="$held" 'BEGIN { printf "%.2f", (a - b) / n }')
  wait $ipid || true
  MEM_LINES+=("| $label | $rss | $rss_idle ($held conns) | $per_conn |")
}

has_row() { [[ " $ROWS " == *" $1 "* ]]; }
PROXY_ROWS=""
for r in ka64 close64 http10 close-up ka1000 ka10000 1mib; do has_row $r && PROXY_ROWS+=" $r"; done

wait_port $B1 && wait_port $B2 && wait_port $B3 && wait_port $B4
# Every proxy runs from the start (an idle one costs nothing) and each row is
# measured for all targets back to back: a slow spell of a shared machine
# then moves one row's figures together instead of one proxy's whole column.
declare -A PID_OF LABEL_OF
for p in vpclab haproxy nginx; do
  start_proxy $p
  PID_OF[$p]=$PROXY_PID
  pv=P_${p^^} qv=Q_${p^^}
  wait_port "${!pv}" && wait_port "${!qv}" || { echo "$p did not start:"; cat "$WORK/$p.err"; exit 1; }
done
LABEL_OF[vpclab]="vpclab alb"
LABEL_OF[haproxy]="HAProxy $("$HAPROXY" -v | awk 'NR==1 {print $3}')"
LABEL_OF[nginx]="nginx $("$NGINX" -v 2>&1 | awk -F/ '{print $2}') (proxy)"
for r in $PROXY_ROWS; do
  # Each round starts with the next target: what one leaves behind (TIME_WAIT
  # sockets, a warm cache) falls on each of them in turn.
  targets=(direct vpclab haproxy nginx)
  for ROUND in $(seq "$ROUNDS"); do
    for i in 0 1 2 3; do
      p=${targets[$(( (i + ROUND - 1) % 4 ))]}
      if [ $p = direct ]; then
        [ "$r" = close-up ] && port=$B3 || port=$B1
        measure "$r" "backend direct (nginx)" $port ""
        continue
      fi
      pv=P_${p^^} qv=Q_${p^^}
      [ "$r" = close-up ] && port=${!qv} || port=${!pv}
      measure "$r" "${LABEL_OF[$p]}" "$port" "${PID_OF[$p]}"
    done
  done
  ROUND=1
  if [ "$r" = ka64 ]; then  # memory right after the first row, as before the big rows grow the pools
    for p in vpclab haproxy nginx; do
      idle=$IDLE_CONNS; [ $p = haproxy ] && idle=$HAPROXY_IDLE
      pv=P_${p^^}
      measure_idle "${LABEL_OF[$p]}" "${!pv}" "${PID_OF[$p]}" "$idle"
    done
  fi
done
for p in vpclab haproxy nginx; do kill "${PID_OF[$p]}"; wait "${PID_OF[$p]}" 2>/dev/null || true; done
if has_row workers; then
  for w in 1 2; do
    start_proxy vpclab "0,1" --workers $w
    wait_port $P_VPCLAB || { cat "$WORK/vpclab.err"; exit 1; }
    for r in ka64 close64; do
      for ROUND in $(seq "$ROUNDS"); do measure "$r" "vpclab alb --workers $w (both CPUs)" $P_VPCLAB "$PROXY_PID" "0,1"; done
      ROUND=1
    done
    kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
  done
fi

echo
echo "proxy on CPU $PROXY_CPU, wrk and backends on CPU $LOAD_CPU (workers rows: proxy and wrk on both), $(nproc) CPUs, $(uname -r), fd limit $FDS (HAProxy maxconn $MAXCONN), load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
median_lines
echo "median of $ROUNDS rounds of ${DURATION} s per row and target"
echo
echo "| row | target | req/s | vs direct | vs HAProxy | CPU µs/req (proxy) | busy % CPU $PROXY_CPU / CPU $LOAD_CPU | p50 | p99 | errors | req/s each round |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for r in $PROXY_ROWS; do
  for l in "${MEDIAN_LINES[@]}"; do
    [ "${l%%|*}" = "$r" ] && [[ "$l" != *"--workers"* ]] && table_line "$l"
  done
done
for l in "${MEDIAN_LINES[@]}"; do [[ "$l" == *"--workers"* ]] && table_line "$l" | sed 's/^| /| workers, /'; done
echo
echo "| target | RSS KiB | RSS KiB, idle keep-alive conns held | KiB/idle conn |"
echo "|---|---|---|---|"
for l in "${MEM_LINES[@]}"; do echo "$l"; done
echo
echo "Client commands (PORT: the target's; idle connections: bench/alb/idle_conns.py 127.0.0.1 PORT $IDLE_CONNS 4):"
for r in "${!CMDS[@]}"; do echo "  $r: ${CMDS[$r]}"; done | sort
