#!/usr/bin/env bash
# A/B rounds: the same wrk command against each vpclab build given (build
# dirs holding `vpclab`) and HAProxy, in turn, ROUNDS times; prints each
# round's req/s, TCP segments per request (nstat TcpOutSegs: every socket on
# the machine, so run it where nothing else talks) and the medians. Proxies on
# CPU 0, wrk and two nginx backends on CPU 1, as bench/alb/run.sh.
#
# Usage: bench/alb/ab.sh BUILD_DIR [BUILD_DIR...]
# Env:   ROUNDS (8), DUR seconds (3), WRK_ARGS (-H 'Connection: close');
#        WRK_ARGS="" for keep-alive, WRK_ARGS="-s bench/alb/http10.lua" for HTTP/1.0
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-8} DUR=${DUR:-3} WRK_ARGS=${WRK_ARGS-"-H 'Connection: close'"}
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [BUILD_DIR...]" >&2; exit 2; }
for t in nginx haproxy wrk nstat taskset; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t (scripts/setup installs it)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
HAPROXY=$(command -v haproxy || echo /usr/sbin/haproxy)
W=$(mktemp -d /tmp/vpclab-ab.XXXXXX)
PIDS=()
cleanup() { kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT
BODY=$(head -c 1024 /dev/zero | tr '\0' 'x')
for port in 18181 18182; do
  mkdir -p "$W/b$port"
  cat > "$W/b$port/nginx.conf" <<EOC
worker_processes 1; daemon off; master_process off; error_log $W/b$port/e.log crit; pid $W/b$port/p;
events { worker_connections 30000; }
http { access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  server { listen 127.0.0.1:$port reuseport backlog=4096; location / { default_type text/plain; return 200 "$BODY"; } } }
EOC
  taskset -c 1 "$NGINX" -p "$W/b$port" -c "$W/b$port/nginx.conf" & PIDS+=($!)
done
i=0; PORTS=(); NAMES=()
for b in "$@"; do
  p=$((18190 + i))
  cat > "$W/v$i.json" <<EOC
{"name":"bench","id":"0123456789abcdef","listeners":[{"port":$p,"default_actions":[{"type":"forward","target_group":"backends"}]}],
 "target_groups":[{"name":"backends","port":18181,"targets":[{"id":"b1","address":"127.0.0.1","port":18181},{"id":"b2","address":"127.0.0.1","port":18182}]}]}
EOC
  taskset -c 0 "$b/vpclab" alb --config "$W/v$i.json" --access-log "" 2>"$W/v$i.err" & PIDS+=($!)
  PORTS+=($p); NAMES+=("vpclab($b)"); i=$((i + 1))
done
cat > "$W/h.cfg" <<EOC
global
  nbthread 1
  maxconn 9000
defaults
  mode http
  option forwardfor
  option http-keep-alive
  http-reuse always
  timeout connect 10s
  timeout client 60s
  timeout server 60s
frontend fe
  bind 127.0.0.1:18199
  default_backend be
backend be
  balance roundrobin
  server b1 127.0.0.1:18181
  server b2 127.0.0.1:18182
EOC
taskset -c 0 "$HAPROXY" -f "$W/h.cfg" -db 2>"$W/h.err" & PIDS+=($!)
PORTS+=(18199); NAMES+=(HAProxy)
sleep 1
cd "$ROOT"
for p in "${PORTS[@]}"; do eval "taskset -c 1 wrk -t1 -c64 -d1s $WRK_ARGS http://127.0.0.1:$p/" >/dev/null; done
echo "wrk -t1 -c64 -d${DUR}s $WRK_ARGS; targets: ${NAMES[*]}"
for r in $(seq "$ROUNDS"); do
  line="round $r:"
  for p in "${PORTS[@]}"; do
    nstat -n
    out=$(eval "taskset -c 1 wrk -t1 -c64 -d${DUR}s $WRK_ARGS http://127.0.0.1:$p/")
    segs=$(nstat 2>/dev/null | awk '/TcpOutSegs/ {print $2}')
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
    line+=" $rps ($(awk -v s="${segs:-0}" -v n="$n" 'BEGIN {printf "%.2f", s / n}') seg/req)"
    echo "$p $rps" >> "$W/res"
  done
  echo "$line"
done
i=0
for p in "${PORTS[@]}"; do
  echo "median ${NAMES[$i]}: $(awk -v p="$p" '$1 == p {print $2}' "$W/res" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}') req/s"
  i=$((i + 1))
done
