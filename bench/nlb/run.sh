#!/usr/bin/env bash
# NLB data-plane benchmark: `vpclab nlb` (examples/nlb/nlb.yaml's NLB, its
# two targets mapped to local backends) vs HAProxy `mode tcp` vs nginx
# `stream`, plus the backends direct as the physical limit. Layer 4 only:
# each proxy copies bytes between a client connection and a connection to a
# backend it picked (vpclab: flow hash; HAProxy and nginx: round robin). Same
# nginx `return 200` backends (1 KiB body; /1m: a 1 MiB file), same client
# (wrk, no pipelining), each proxy pinned to the same core, one thread/worker,
# no logs. Prints Markdown tables (docs/performance.md, "Network Load
# Balancer") and the exact client command of every row.
#
# Rows (client side; wrk -t1):
#   ka64      keep-alive, 64 connections, 1 KiB (one flow per connection: bytes copied)
#   close64   a new connection per request (Connection: close), 64 at a time:
#             connections per second, proxy CPU per connection
#   1mib      keep-alive, 16 connections, 1 MiB bodies: throughput MB/s
#   ka1000    keep-alive, 1,000 connections
#
# Each row is measured ROUNDS times for every target back to back (all
# proxies run from the start, each round starting with the next target); the
# table shows each target's median round, its ratios (medians over medians)
# to the backends direct, HAProxy and nginx of the same run, and every round.
#
# Usage: bench/nlb/run.sh [BUILD_DIR] [SECONDS]      (defaults: build, 8)
# Env:   PROXY_CPU (0), LOAD_CPU (1), ROWS (all of the above), ROUNDS (3)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
DURATION=${2:-8}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-ka64 close64 1mib ka1000}
VPCLAB=$BUILD/vpclab
[ -x "$VPCLAB" ] || { echo "no $VPCLAB: build first (cmake --build $BUILD --target vpclab)" >&2; exit 2; }
for t in nginx haproxy wrk taskset curl; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t (scripts/setup installs it)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
# Debian builds nginx's stream proxy as a module (libnginx-mod-stream).
STREAM_MODULE=""
if ! "$NGINX" -V 2>&1 | grep -q -- '--with-stream '; then
  for m in /usr/lib/nginx/modules/ngx_stream_module.so /usr/share/nginx/modules/ngx_stream_module.so; do
    [ -f "$m" ] && STREAM_MODULE="load_module $m;" && break
  done
  [ -n "$STREAM_MODULE" ] || { echo "nginx has no stream module (scripts/setup installs libnginx-mod-stream)" >&2; exit 2; }
fi

FDS=65536
ulimit -Hn $FDS 2>/dev/null || FDS=$(ulimit -Hn)
ulimit -n "$FDS"
MAXCONN=$(( FDS / 2 - 100 ))
[ "$MAXCONN" -gt 20000 ] && MAXCONN=20000

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bench_scratch nlbbench

B1=18281 B2=18282
P_VPCLAB=18290 P_HAPROXY=18291 P_NGINX=18292
BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')
head -c 1048576 /dev/zero | tr '\0' 'y' > "$WORK/1m"

# --- backends: nginx workers on the load core --------------------------------
for port in $B1 $B2; do
  mkdir -p "$WORK/b$port"
  cat > "$WORK/b$port/nginx.conf" <<EOC
worker_processes 1;
worker_rlimit_nofile $FDS;
daemon off;
master_process off;
error_log $WORK/b$port/error.log crit;
pid $WORK/b$port/nginx.pid;
events { worker_connections 30000; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type text/plain; return 200 "$BODY"; }
    location = /1m { default_type application/octet-stream; alias $WORK/1m; }
  }
}
EOC
  taskset -c "$LOAD_CPU" "$NGINX" -p "$WORK/b$port" -c "$WORK/b$port/nginx.conf" &
  PIDS+=($!)
done

# --- proxies -------------------------------------------------------------------
cat > "$WORK/haproxy.cfg" <<EOC
global
  nbthread 1
  maxconn $MAXCONN
  ulimit-n $FDS
defaults
  mode tcp
  maxconn $MAXCONN
  timeout connect 10s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:$P_HAPROXY
  default_backend be
backend be
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
EOC
mkdir -p "$WORK/px"
cat > "$WORK/px/nginx.conf" <<EOC
$STREAM_MODULE
worker_processes 1;
worker_rlimit_nofile $FDS;
daemon off;
master_process off;
error_log $WORK/px/error.log crit;
pid $WORK/px/nginx.pid;
events { worker_connections 30000; }
stream {
  upstream be { server 127.0.0.1:$B1; server 127.0.0.1:$B2; }
  server {
    listen 127.0.0.1:$P_NGINX backlog=4096;
    proxy_pass be;
  }
}
EOC
# The template's FooTcpListener is on port 80; FooWeb1/FooWeb2 are its targets.
VPCLAB_ARGS="nlb $ROOT/examples/nlb/nlb.yaml --lb FooInternalNlb --map FooWeb1=127.0.0.1:$B1 --map FooWeb2=127.0.0.1:$B2 --port-offset $((P_VPCLAB - 80))"

start_proxy() {  # name -> sets PROXY_PID
  case $1 in
    vpclab)  taskset -c "$PROXY_CPU" $VPCLAB $VPCLAB_ARGS 2>"$WORK/vpclab.err" & ;;
    haproxy) taskset -c "$PROXY_CPU" "$HAPROXY" -f "$WORK/haproxy.cfg" -db 2>"$WORK/haproxy.err" & ;;
    nginx)   taskset -c "$PROXY_CPU" "$NGINX" -p "$WORK/px" -c "$WORK/px/nginx.conf" 2>"$WORK/nginx.err" & ;;
  esac
  PROXY_PID=$!
  PIDS+=($PROXY_PID)
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, every thread's
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

TICK_US=$((1000000 / $(getconf CLK_TCK)))
ROW_LINES=()
declare -A DIRECT_RPS HAPROXY_RPS NGINX_RPS CMDS

row_client() {  # conns and extra wrk args of a row
  case $1 in
    ka64)    echo "64" ;;
    close64) echo "64 -H 'Connection: close'" ;;
    1mib)    echo "16" ;;
    ka1000)  echo "1000" ;;
  esac
}

# wrk's "Transfer/sec: 1.02GB" as MB/s (10^6 bytes).
mb_per_s() {
  awk '/Transfer\/sec/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[A-Za-z]+$/, "", v)
    f = (u == "GB") ? 1073741824 : (u == "MB") ? 1048576 : (u == "KB") ? 1024 : 1
    printf "%.0f", v * f / 1e6 }' "$1"
}

measure() {  # row label port pid
  local row=$1 label=$2 port=$3 pid=$4
  read -r conns extra <<<"$(row_client "$row")"
  local path=/; [ "$row" = 1mib ] && path=/1m
  local cmd="taskset -c $LOAD_CPU wrk -t1 -c$conns -d${DURATION}s --latency $extra http://127.0.0.1:$port$path"
  CMDS[$row]=${cmd//$port/PORT}
  [ "${ROUND:-1}" = 1 ] && { eval "taskset -c $LOAD_CPU wrk -t1 -c$conns -d2s $extra http://127.0.0.1:$port$path" >/dev/null 2>&1 || true; }  # warm-up
  local t0=0; [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
  local s0; s0=$(grep -E "^cpu[0-9]+ " /proc/stat)
  eval "$cmd" > "$WORK/wrk.out" 2>&1 || true
  local t1=0; [ -n "$pid" ] && t1=$(cpu_ticks "$pid")
  local s1; s1=$(grep -E "^cpu[0-9]+ " /proc/stat)
  local busy; busy=$(paste <(echo "$s0") <(echo "$s1") | awk -v pc="cpu$PROXY_CPU" -v lc="cpu$LOAD_CPU" '{
      n = NF / 2; t = 0; for (i = 2; i <= n; i++) t += $(i + n) - $i
      idle = $(5 + n) - $5 + $(6 + n) - $6
      b[$1] = 100 * (t - idle) / t }
    END { printf "%.0f / %.0f", b[pc], b[lc] }')
  local rps mbs p50 p99 total errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
  mbs=$(mb_per_s "$WORK/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.out")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk.out")
  # Proxy CPU per request; per connection in close64 (one connection per request).
  local cpu="-"
  [ -n "$pid" ] && cpu=$(awk -v d=$((t1 - t0)) -v n="$total" -v us="$TICK_US" 'BEGIN { printf "%.2f", d * us / n }')
  ROW_LINES+=("$row|$label|$rps|$mbs|$cpu|$busy|$p50|$p99|${errs:-}")
}

# Each (row, target)'s median round (by req/s), in the order first measured,
# every round's req/s appended; the medians of the reference targets kept.
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
    [[ "$t" == nginx*stream* ]] && NGINX_RPS[$r]=$rps
    MEDIAN_LINES+=("$med|$all")
  done
}

ratio() { [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo "-"; }

table_line() {
  local row label rps rest vd vh vn
  IFS='|' read -r row label rps rest <<<"$1"
  vd=$(ratio "$rps" "${DIRECT_RPS[$row]:-}")
  vh=$(ratio "$rps" "${HAPROXY_RPS[$row]:-}")
  vn=$(ratio "$rps" "${NGINX_RPS[$row]:-}")
  [ "$label" = "backend direct (nginx)" ] && vh="-" && vn="-"
  local line="$row|$label|$rps|$vd|$vh|$vn|$rest"
  echo "| ${line//|/ | } |"
}

has_row() { [[ " $ROWS " == *" $1 "* ]]; }
RUN_ROWS=""
for r in ka64 close64 1mib ka1000; do has_row $r && RUN_ROWS+=" $r"; done

wait_port $B1 && wait_port $B2
declare -A PID_OF LABEL_OF PORT_OF
PORT_OF[vpclab]=$P_VPCLAB PORT_OF[haproxy]=$P_HAPROXY PORT_OF[nginx]=$P_NGINX
for p in vpclab haproxy nginx; do
  start_proxy $p
  PID_OF[$p]=$PROXY_PID
  wait_port "${PORT_OF[$p]}" || { echo "$p did not start:"; cat "$WORK/$p.err"; exit 1; }
done
LABEL_OF[vpclab]="vpclab nlb"
LABEL_OF[haproxy]="HAProxy $("$HAPROXY" -v | awk 'NR==1 {sub(/-.*/, "", $3); print $3}') (mode tcp)"  # 2.6.12, not 2.6.12-1+deb12u4
LABEL_OF[nginx]="nginx $("$NGINX" -v 2>&1 | awk -F/ '{print $2}') (stream)"
for r in $RUN_ROWS; do
  targets=(direct vpclab haproxy nginx)
  for ROUND in $(seq "$ROUNDS"); do
    for i in 0 1 2 3; do
      p=${targets[$(( (i + ROUND - 1) % 4 ))]}
      if [ $p = direct ]; then
        measure "$r" "backend direct (nginx)" $B1 ""
      else
        measure "$r" "${LABEL_OF[$p]}" "${PORT_OF[$p]}" "${PID_OF[$p]}"
      fi
    done
  done
  ROUND=1
done
VPCLAB_RSS=$(awk '/VmRSS/ {print $2}' "/proc/${PID_OF[vpclab]}/status")
kill -TERM "${PID_OF[vpclab]}"; wait "${PID_OF[vpclab]}" 2>/dev/null || true
for p in haproxy nginx; do kill "${PID_OF[$p]}"; wait "${PID_OF[$p]}" 2>/dev/null || true; done

echo
echo "proxy on CPU $PROXY_CPU, wrk and backends on CPU $LOAD_CPU, $(nproc) CPUs, $(uname -r), fd limit $FDS (HAProxy maxconn $MAXCONN), load average at start $LOAD_START, at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
median_lines
echo "median of $ROUNDS rounds of ${DURATION} s per row and target"
echo
echo "| row | target | req/s | vs direct | vs HAProxy | vs nginx | MB/s | CPU µs/req (proxy; close64: per connection) | busy % CPU $PROXY_CPU / CPU $LOAD_CPU | p50 | p99 | errors | req/s each round |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in $RUN_ROWS; do
  for l in "${MEDIAN_LINES[@]}"; do [ "${l%%|*}" = "$r" ] && table_line "$l"; done
done
echo
echo "vpclab nlb at the end: RSS ${VPCLAB_RSS} KiB; $(grep -o 'metrics .*' "$WORK/vpclab.err" || echo 'no metrics printed')"
echo
echo "Proxy: $VPCLAB ${VPCLAB_ARGS//$ROOT\//}"
echo "Client commands (PORT: the target's):"
for r in "${!CMDS[@]}"; do echo "  $r: ${CMDS[$r]}"; done | sort
