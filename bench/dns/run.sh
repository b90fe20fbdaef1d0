#!/usr/bin/env bash
# VPC resolver benchmark: `vpclab dns` (the engine `vpclab up` runs at each
# VPC's base+2) against NSD and Knot DNS (authoritative for the same zones)
# and unbound (local-data), all on 127.0.0.1. The zones are written from
# what `vpclab dns --records` says the VPC resolves, so every server holds
# the same records. One query file for all (names that exist, the alias to
# the ALB, NXDOMAIN), dnsperf rounds, every server pinned to the same
# core, dnsperf to the other. Prints a Markdown table (docs/performance.md,
# "VPC resolver") and the exact commands.
#
# All servers run from the start; ROUNDS rounds measure each in turn.
#
# Usage: bench/dns/run.sh [BUILD_DIR] [SECONDS]      (defaults: build, 4 per round)
# Env:   ROUNDS (3), SERVER_CPU (0), LOAD_CPU (1), OUTSTANDING (dnsperf -q, 200), CLIENTS (dnsperf -c, 4),
#        TEMPLATE (examples/scenario/vpclab.yaml), VPC (BarVpc), ONLY ("vpclab nsd knot unbound")
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
DURATION=${2:-4}
ROUNDS=${ROUNDS:-3}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
OUTSTANDING=${OUTSTANDING:-200}
CLIENTS=${CLIENTS:-4}
TEMPLATE=${TEMPLATE:-$ROOT/examples/scenario/vpclab.yaml}
VPC=${VPC:-BarVpc}
ONLY=${ONLY:-vpclab nsd knot unbound}
VPCLAB=$BUILD/vpclab
[ -x "$VPCLAB" ] || { echo "no $VPCLAB: build first (cmake --build $BUILD --target vpclab)" >&2; exit 2; }
for t in dnsperf nsd knotd unbound taskset dig; do
  command -v $t >/dev/null || [ -x /usr/sbin/$t ] || { echo "missing $t (scripts/setup installs it)" >&2; exit 2; }
done
sbin() { command -v "$1" || echo "/usr/sbin/$1"; }
NSD=$(sbin nsd) KNOTD=$(sbin knotd) UNBOUND=$(sbin unbound)

# shellcheck source=../lib.sh
. "$(dirname "$0")/../lib.sh"
bench_scratch dnsbench

P_VPCLAB=18153 P_NSD=18154 P_KNOT=18155 P_UNBOUND=18156

# --- the records: what the VPC's resolver answers ---------------------------
"$VPCLAB" dns "$TEMPLATE" --vpc "$VPC" --records > "$WORK/records.txt"
# Zones: a hosted zone's records under its name ("; zone NAME"), other names
# (Amazon-provided, ELB) under their last two labels (compute.internal, amazonaws.com).
awk -v dir="$WORK" '
  /^; zone / { cur = $3; sub(/\.$/, "", cur); print cur > dir "/hosted.txt"; next }
  /^;/ { cur = ""; next }
  NF >= 5 {
    z = cur
    if (z == "") { n = split($1, l, "."); z = l[n-2] "." l[n-1] "." }
    sub(/\.$/, "", z)
    if (!(z in seen)) { seen[z] = 1; zones[++nz] = z
      print z ". 900 IN SOA ns.bench. hostmaster.bench. 1 7200 900 1209600 86400" > dir "/" z ".zone"
      print z ". 900 IN NS ns.bench." >> dir "/" z ".zone" }
    print >> dir "/" z ".zone"
  }
  END { for (i = 1; i <= nz; i++) print zones[i] > dir "/zones.txt" }' "$WORK/records.txt"
mapfile -t ZONES < "$WORK/zones.txt"
touch "$WORK/hosted.txt"
# NXDOMAIN names go in the first hosted zone (answered with its SOA), else the first zone.
NXZONE=$(head -1 "$WORK/hosted.txt")
NXZONE=${NXZONE:-${ZONES[0]}}

# --- the query file: every name that exists, the alias, NXDOMAIN ------------
# Each existing name once per record set, plus as many NXDOMAIN names (in a
# hosted zone: with its SOA; an unknown Amazon-style name) as there are
# existing ones, so about half the answers are negative.
awk 'NF >= 5 && !/^;/ { print $1, $4 }' "$WORK/records.txt" | sort -u > "$WORK/exist.txt"
: > "$WORK/queries.txt"
i=0
while read -r name type; do
  echo "$name $type" >> "$WORK/queries.txt"
  case $(( i % 2 )) in
    0) echo "nothere$i.$NXZONE. A" >> "$WORK/queries.txt" ;;
    1) echo "ip-10-254-$i-1.${name#*.} A" >> "$WORK/queries.txt" ;;
  esac
  i=$((i + 1))
done < "$WORK/exist.txt"
NQ=$(wc -l < "$WORK/queries.txt")

# --- servers -----------------------------------------------------------------
start_vpclab() {
  taskset -c "$SERVER_CPU" "$VPCLAB" dns "$TEMPLATE" --vpc "$VPC" --listen 127.0.0.1:$P_VPCLAB \
    > /dev/null 2> "$WORK/vpclab.log" &
  echo $!
}
CMD_VPCLAB="taskset -c $SERVER_CPU $VPCLAB dns $TEMPLATE --vpc $VPC --listen 127.0.0.1:$P_VPCLAB"

write_nsd() {
  mkdir -p "$WORK/nsd"
  {
    echo "server:"
    echo "  ip-address: 127.0.0.1@$P_NSD"
    echo "  do-ip6: no"
    echo "  server-count: 1"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  zonesdir: \"$WORK\""
    echo "  pidfile: \"$WORK/nsd/nsd.pid\""
    echo "  xfrdfile: \"$WORK/nsd/xfrd.state\""
    echo "  zonelistfile: \"$WORK/nsd/zone.list\""
    echo "  database: \"\""
    echo "  logfile: \"$WORK/nsd/nsd.log\""
    echo "  verbosity: 0"
    # Response rate limiting is on by default: a benchmark from one address would be throttled.
    echo "  rrl-ratelimit: 0"
    echo "  rrl-whitelist-ratelimit: 0"
    echo "remote-control:"
    echo "  control-enable: no"
    for z in "${ZONES[@]}"; do echo "zone:"; echo "  name: \"$z\""; echo "  zonefile: \"$z.zone\""; done
  } > "$WORK/nsd/nsd.conf"
}
start_nsd() {
  taskset -c "$SERVER_CPU" "$NSD" -d -c "$WORK/nsd/nsd.conf" > /dev/null 2> "$WORK/nsd/stderr" &
  echo $!
}
CMD_NSD="taskset -c $SERVER_CPU $NSD -d -c nsd.conf   (server-count: 1, zones from --records)"

write_knot() {
  mkdir -p "$WORK/knot"
  {
    echo "server:"
    echo "  rundir: \"$WORK/knot\""
    echo "  listen: 127.0.0.1@$P_KNOT"
    echo "  udp-workers: 1"
    echo "  tcp-workers: 1"
    echo "  background-workers: 1"
    echo "database:"
    echo "  storage: \"$WORK/knot\""
    echo "log:"
    echo "  - target: \"$WORK/knot/knot.log\""
    echo "    any: error"
    echo "template:"
    echo "  - id: default"
    echo "    storage: \"$WORK\""
    echo "    file: \"%s.zone\""
    echo "zone:"
    for z in "${ZONES[@]}"; do echo "  - domain: \"$z\""; done
  } > "$WORK/knot/knot.conf"
}
start_knot() {
  taskset -c "$SERVER_CPU" "$KNOTD" -c "$WORK/knot/knot.conf" > /dev/null 2> "$WORK/knot/stderr" &
  echo $!
}
CMD_KNOT="taskset -c $SERVER_CPU $KNOTD -c knot.conf   (udp-workers: 1, tcp-workers: 1, background-workers: 1)"

write_unbound() {
  mkdir -p "$WORK/unbound"
  {
    echo "server:"
    echo "  interface: 127.0.0.1"
    echo "  port: $P_UNBOUND"
    echo "  do-ip6: no"
    echo "  num-threads: 1"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  directory: \"$WORK/unbound\""
    echo "  pidfile: \"$WORK/unbound/unbound.pid\""
    echo "  use-syslog: no"
    echo "  logfile: \"$WORK/unbound/unbound.log\""
    echo "  verbosity: 0"
    echo "  do-daemonize: no"
    echo "  access-control: 127.0.0.0/8 allow"
    echo "  module-config: \"iterator\""
    # Never recurse (network safety): everything outside the zones is refused.
    echo "  local-zone: \".\" refuse"
    for z in "${ZONES[@]}"; do
      echo "  local-zone: \"$z.\" static"
      echo "  local-data: \"$z. 900 IN SOA ns.bench. hostmaster.bench. 1 7200 900 1209600 86400\""
    done
    awk 'NF >= 5 && !/^;/ { printf "  local-data: \"%s\"\n", $0 }' "$WORK/records.txt"
    echo "remote-control:"
    echo "  control-enable: no"
  } > "$WORK/unbound/unbound.conf"
}
start_unbound() {
  taskset -c "$SERVER_CPU" "$UNBOUND" -d -c "$WORK/unbound/unbound.conf" > /dev/null 2> "$WORK/unbound/stderr" &
  echo $!
}
CMD_UNBOUND="taskset -c $SERVER_CPU $UNBOUND -d -c unbound.conf   (num-threads: 1, local-zone static + local-data)"

# utime+stime (clock ticks) of a process and all its descendants (NSD serves
# from a grandchild).
tree_ticks() {
  local pid=$1 total=0 p rest kids
  if [ -r "/proc/$pid/stat" ]; then
    # Fields after the command (which may hold spaces): utime is the 14th, stime the 15th.
    rest=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null || true)
    if [ -n "$rest" ]; then
      set -- $rest
      total=$(( ${12} + ${13} ))
    fi
  fi
  kids=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
  for p in $kids; do total=$(( total + $(tree_ticks "$p") )); done
  echo "$total"
}
TICK=$(getconf CLK_TCK)

wait_answer() {  # port: until the server answers (5 s at most)
  local i
  for i in $(seq 1 50); do
    if dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 "${ZONES[0]}." SOA > /dev/null 2>&1; then
      out=$(dig +time=1 +tries=1 -p "$1" @127.0.0.1 "$(head -1 "$WORK/exist.txt" | cut -d' ' -f1)" A 2>&1 || true)
      case $out in *"status: NOERROR"*) return 0 ;; esac
    fi
    sleep 0.1
  done
  echo "server on port $1 does not answer" >&2
  return 1
}

ROWS=()
CHECKS=()
DNSPERF_CMD="taskset -c $LOAD_CPU dnsperf -s 127.0.0.1 -p PORT -d queries.txt -l $DURATION -c $CLIENTS -q $OUTSTANDING -v"
declare -A PORT_OF PID_OF TICKS_OF DONE_OF LOST_OF QPS_OF
LABELS=()
start_one() {  # label port pid: checks its answers, warms it up
  local label=$1 port=$2 pid=$3
  PIDS+=("$pid")
  LABELS+=("$label")
  PORT_OF[$label]=$port PID_OF[$label]=$pid TICKS_OF[$label]=0 DONE_OF[$label]=0 LOST_OF[$label]=0 QPS_OF[$label]=""
  : > "$WORK/$label.lat"
  wait_answer "$port"
  # Same answers? The alias and one NXDOMAIN, as dig shows them.
  local first
  first=$(grep -m1 '^alb\.' "$WORK/exist.txt" | cut -d' ' -f1 || head -1 "$WORK/exist.txt" | cut -d' ' -f1)
  CHECKS+=("$label: $first -> $(dig +short -p "$port" @127.0.0.1 "$first" A | sort | tr '\n' ' ')| nothere0.$NXZONE -> $(dig -p "$port" @127.0.0.1 "nothere0.$NXZONE" A | grep -o 'status: [A-Z]*')")
  # Warm-up (caches, page faults).
  taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l 1 -c "$CLIENTS" -q "$OUTSTANDING" > /dev/null 2>&1 || true
}
measure_one() {  # label: one dnsperf run, added to the label's totals
  local label=$1 port=${PORT_OF[$1]} pid=${PID_OF[$1]} t0 t1 qps completed lost
  t0=$(tree_ticks "$pid")
  taskset -c "$LOAD_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/queries.txt" -l "$DURATION" -c "$CLIENTS" \
    -q "$OUTSTANDING" -v > "$WORK/$label.out" 2> "$WORK/$label.err" || true
  t1=$(tree_ticks "$pid")
  qps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$WORK/$label.out")
  completed=$(awk '/Queries completed:/ { print $3 }' "$WORK/$label.out")
  lost=$(awk '/Queries lost:/ { print $3 }' "$WORK/$label.out")
  TICKS_OF[$label]=$(( ${TICKS_OF[$label]} + t1 - t0 ))
  DONE_OF[$label]=$(( ${DONE_OF[$label]} + ${completed:-0} ))
  LOST_OF[$label]=$(( ${LOST_OF[$label]} + ${lost:-0} ))
  QPS_OF[$label]+="${qps:-0} "
  # -v prints one line per answer ("> NOERROR name type latency", "> T name type" for a timeout).
  awk '/^> / { print $2, $NF }' "$WORK/$label.out" >> "$WORK/$label.lat"
}
summarize_one() {  # label -> a table row: queries/s the median round, p50/p99 over every answer
  local label=$1 pct rcodes us median
  median=$(echo "${QPS_OF[$label]}" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
  pct=$(awk '$1 != "T" { print $2 }' "$WORK/$label.lat" | sort -g | awk '{ v[NR] = $1 } END {
          if (NR == 0) { print "- -"; exit }
          i50 = int(NR * 0.50); if (i50 < 1) i50 = 1; i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
          printf "%.0f %.0f", v[i50] * 1e6, v[i99] * 1e6 }')
  rcodes=$(awk '{ c[$1]++ } END { for (k in c) printf "%s %d, ", k, c[k] }' "$WORK/$label.lat" | sed 's/, $//')
  us=$(awk -v t="${TICKS_OF[$label]}" -v hz="$TICK" -v n="${DONE_OF[$label]}" 'BEGIN { if (n > 0) printf "%.2f", t / hz * 1e6 / n; else print "-" }')
  set -- $pct
  ROWS+=("| $label | $median | ${QPS_OF[$label]% } | $us | ${1} | ${2} | ${DONE_OF[$label]} | ${LOST_OF[$label]} | $rcodes |")
}

uptime_before=$(uptime)
for s in $ONLY; do
  case $s in
    vpclab) start_one "vpclab dns" $P_VPCLAB "$(start_vpclab)" ;;
    nsd) write_nsd; start_one "NSD $(nsd -v 2>&1 | awk 'NR==1 { print $3 }')" $P_NSD "$(start_nsd)" ;;
    knot) write_knot; start_one "Knot DNS $("$KNOTD" -V 2>&1 | awk '{ print $NF }')" $P_KNOT "$(start_knot)" ;;
    unbound) write_unbound; start_one "unbound $("$UNBOUND" -V 2>&1 | awk '/^Version/ { print $2 }')" $P_UNBOUND "$(start_unbound)" ;;
    *) echo "unknown server $s (ONLY: vpclab nsd knot unbound)" >&2; exit 2 ;;
  esac
done
# Rounds: every server once per round, in turn, so a slow spell of a shared
# machine falls on all of them rather than on one.
for _ in $(seq "$ROUNDS"); do
  for l in "${LABELS[@]}"; do measure_one "$l"; done
done
for l in "${LABELS[@]}"; do summarize_one "$l"; kill "${PID_OF[$l]}" 2>/dev/null || true; done

echo "## VPC resolver: $NQ queries in the file ($(wc -l < "$WORK/exist.txt") names that exist), $ROUNDS rounds of ${DURATION}s each"
echo
echo "load before: $uptime_before"
echo "load after:  $(uptime)"
echo
echo "| server | queries/s (median round) | each round | CPU µs/query (server) | p50 µs | p99 µs | completed | lost | answers |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in "${ROWS[@]}"; do echo "$r"; done
echo
echo "Spot checks (dig):"
for c in "${CHECKS[@]}"; do echo "- $c"; done
echo
echo "Commands (PORT: vpclab $P_VPCLAB, NSD $P_NSD, Knot $P_KNOT, unbound $P_UNBOUND):"
echo "    $VPCLAB dns $TEMPLATE --vpc $VPC --records > records.txt   # the zones and local-data"
echo "    $CMD_VPCLAB"
echo "    $CMD_NSD"
echo "    $CMD_KNOT"
echo "    $CMD_UNBOUND"
echo "    $DNSPERF_CMD   (after a 1 s warm-up run)"
echo
echo "Query file:"
sed 's/^/    /' "$WORK/queries.txt"
