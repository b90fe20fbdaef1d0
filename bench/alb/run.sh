#!/usr/bin/env bash
# ALB data-plane benchmark: vpclab alb vs HAProxy vs nginx (reverse proxy),
# plus the backends direct as the physical limit. Same machine, same two
# nginx `return 200` backends with a 1 KiB body, same client (wrk, 64
# keep-alive connections, no pipelining), each proxy pinned to the same core,
# configured alike (round robin, upstream keep-alive, X-Forwarded-For added,
# no access log). Prints a Markdown table (docs/performance.md, ALB section).
#
# Usage: bench/alb/run.sh [BUILD_DIR] [SECONDS]      (defaults: build, 10)
# Env:   PROXY_CPU (0), LOAD_CPU (1), CONNS (64), IDLE_CONNS (10000)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
DURATION=${2:-10}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CONNS=${CONNS:-64}
IDLE_CONNS=${IDLE_CONNS:-10000}
# HAProxy reserves 2 fds per maxconn: under the 20000 fd hard limit here it holds at most 9990.
HAPROXY_IDLE=$(( IDLE_CONNS < 9990 ? IDLE_CONNS : 9990 ))
VPCLAB=$BUILD/vpclab
[ -x "$VPCLAB" ] || { echo "no $VPCLAB: build first (cmake --build $BUILD --target vpclab)" >&2; exit 2; }
for t in nginx haproxy wrk taskset python3; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t (scripts/setup installs it)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)

ulimit -n 20000 2>/dev/null || true
WORK=$(mktemp -d /tmp/vpclab-albbench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

B1=18081 B2=18082 P_VPCLAB=18090 P_HAPROXY=18091 P_NGINX=18092
BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')

# --- backends: two nginx workers on the load core ---------------------------
for port in $B1 $B2; do
  mkdir -p "$WORK/b$port"
  cat > "$WORK/b$port/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
error_log $WORK/b$port/error.log crit;
pid $WORK/b$port/nginx.pid;
events { worker_connections 20000; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type text/plain; return 200 "$BODY"; }
  }
}
EOF
  taskset -c "$LOAD_CPU" "$NGINX" -p "$WORK/b$port" -c "$WORK/b$port/nginx.conf" &
  PIDS+=($!)
done

# --- proxies ---------------------------------------------------------------
cat > "$WORK/vpclab.json" <<EOF
{
  "name": "bench", "id": "0123456789abcdef",
  "listeners": [{"port": $P_VPCLAB, "default_actions": [{"type": "forward", "target_group": "backends"}]}],
  "target_groups": [{
    "name": "backends", "port": $B1,
    "targets": [{"id": "b1", "address": "127.0.0.1", "port": $B1}, {"id": "b2", "address": "127.0.0.1", "port": $B2}]
  }]
}
EOF
cat > "$WORK/haproxy.cfg" <<EOF
global
  nbthread 1
  maxconn 9990
  ulimit-n 20000
defaults
  mode http
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
backend be
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
EOF
mkdir -p "$WORK/px"
cat > "$WORK/px/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
master_process off;
error_log $WORK/px/error.log crit;
pid $WORK/px/nginx.pid;
events { worker_connections 15000; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  upstream be { server 127.0.0.1:$B1; server 127.0.0.1:$B2; keepalive 64; }
  server {
    listen 127.0.0.1:$P_NGINX backlog=4096;
    location / {
      proxy_pass http://be;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
EOF

start_proxy() {  # name -> sets PROXY_PID
  case $1 in
    vpclab)  taskset -c "$PROXY_CPU" "$VPCLAB" alb --config "$WORK/vpclab.json" --access-log "" 2>"$WORK/vpclab.err" & ;;
    haproxy) taskset -c "$PROXY_CPU" "$HAPROXY" -f "$WORK/haproxy.cfg" -db 2>"$WORK/haproxy.err" & ;;
    nginx)   taskset -c "$PROXY_CPU" "$NGINX" -p "$WORK/px" -c "$WORK/px/nginx.conf" 2>"$WORK/nginx.err" & ;;
  esac
  PROXY_PID=$!
  PIDS+=($PROXY_PID)
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_port() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done; return 1; }

TICK_US=$((1000000 / $(getconf CLK_TCK)))
ROWS=()
DIRECT_RPS=""

measure() {  # label port pid [idle conns]
  local label=$1 port=$2 pid=$3 idle=${4:-$IDLE_CONNS}
  wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:$port/" >/dev/null 2>&1 || true   # warm-up
  local t0=0; [ -n "$pid" ] && t0=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$port/" > "$WORK/wrk.$label" 2>&1
  local t1=0; [ -n "$pid" ] && t1=$(cpu_ticks "$pid")
  local rps p50 p99 total errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.$label")
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.$label")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.$label")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.$label")
  errs=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' "$WORK/wrk.$label")
  local cpu="-" rss="-" rss_idle="-" per_conn="-"
  if [ -n "$pid" ]; then
    cpu=$(awk -v d=$((t1 - t0)) -v n="$total" -v us="$TICK_US" 'BEGIN { printf "%.2f", d * us / n }')
    rss=$(rss_kb "$pid")
    python3 "$ROOT/bench/alb/idle_conns.py" 127.0.0.1 "$port" "$idle" 4 > "$WORK/idle.$label" &
    local ipid=$!
    for _ in $(seq 200); do grep -q ready "$WORK/idle.$label" 2>/dev/null && break; sleep 0.1; done
    sleep 0.5
    rss_idle=$(rss_kb "$pid")
    local held; held=$(awk '{print $2}' "$WORK/idle.$label")
    per_conn=$(awk -v a="$rss_idle" -v b="$rss" -v n="$held" 'BEGIN { printf "%.2f", (a - b) / n }')
    wait $ipid || true
    rss_idle="$rss_idle ($held conns)"
  fi
  [ -z "$DIRECT_RPS" ] && DIRECT_RPS=$rps
  local ratio; ratio=$(awk -v a="$rps" -v b="$DIRECT_RPS" 'BEGIN { printf "%.2f", a / b }')
  ROWS+=("| $label | $rps | $ratio | $cpu | $p50 | $p99 | $rss | $rss_idle | $per_conn | ${errs:-} |")
}

wait_port $B1 && wait_port $B2
measure "backend direct (nginx)" $B1 ""
for p in vpclab haproxy nginx; do
  start_proxy $p
  port_var=P_${p^^}
  wait_port "${!port_var}" || { echo "$p did not start:"; cat "$WORK/$p.err"; exit 1; }
  label=$p
  [ $p = vpclab ] && label="vpclab alb"
  [ $p = haproxy ] && label="HAProxy $("$HAPROXY" -v | awk 'NR==1 {print $3}')"
  [ $p = nginx ] && label="nginx $("$NGINX" -v 2>&1 | awk -F/ '{print $2}') (proxy)"
  idle=$IDLE_CONNS; [ $p = haproxy ] && idle=$HAPROXY_IDLE
  measure "$label" "${!port_var}" "$PROXY_PID" "$idle"
  kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true
done

echo
echo "wrk -t1 -c$CONNS -d${DURATION}s --latency, proxy on CPU $PROXY_CPU, wrk and backends on CPU $LOAD_CPU, $(nproc) CPUs, $(uname -r)"
echo
echo "| target | req/s | vs direct | CPU µs/req (proxy) | p50 | p99 | RSS KiB | RSS KiB, idle conns held | KiB/idle conn | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do echo "$r"; done
