#!/usr/bin/env bash
# `vpclab up` / `down` at scale: generated labs of 10, 100 and 500 instances
# (bench/gen_template.py: 5 instances per VPC in two subnets, 4 security
# groups per VPC, an internet gateway, neighbouring VPCs peered), each
# instance running a UserData script. Reports wall times, the lab's process
# memory (PSS of the supervisor and every process in the lab's PID
# namespace) and the host's MemAvailable drop (noisy on a shared machine).
#
# Usage: bench/emulator/scale.sh [BUILD_DIR] [SIZES...]   (defaults: build, 10 100 500)
# Needs root or unprivileged user namespaces (like `vpclab up`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
shift || true
SIZES=("$@")
[ $# -eq 0 ] && SIZES=(10 100 500)
VPCLAB=$BUILD/vpclab
[ -x "$VPCLAB" ] || { echo "no $VPCLAB: build first" >&2; exit 2; }
WORK=$(mktemp -d /tmp/vpclab-scale.XXXXXX)
LAB=""
cleanup() { [ -n "$LAB" ] && "$VPCLAB" down "$LAB" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mem_available_kb() { awk '/MemAvailable/ {print $2}' /proc/meminfo; }
# PSS (KiB) of every process whose PID namespace is the supervisor's, and the supervisor's.
lab_pss_kb() {
  local sup=$1 ns total=0 p
  ns=$(readlink "/proc/$sup/ns/pid_for_children")
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$ns" ] || [ "${p#/proc/}" = "$sup" ] || continue
    total=$((total + $(awk '/^Pss:/ {print $2}' "$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo $total
}

echo "| instances | namespaces | processes | up (s) | down (s) | lab PSS (MiB) | MemAvailable drop (MiB) |"
echo "|---|---|---|---|---|---|---|"
for n in "${SIZES[@]}"; do
  vpcs=$(( (n + 4) / 5 ))
  python3 "$ROOT/bench/gen_template.py" --vpcs "$vpcs" --instances 5 --per-stack 20 --out "$WORK/lab$n" \
    --user-data $'#!/bin/sh\nexec sleep 86400'
  LAB=scale-$n-$$
  m0=$(mem_available_kb)
  t0=$(now)
  out=$("$VPCLAB" up "$WORK/lab$n/vpclab.yaml" --name "$LAB" 2>"$WORK/up.err") || { echo "up of $n instances failed:" >&2; grep -v "^note" "$WORK/up.err" >&2; exit 1; }
  t1=$(now)
  m1=$(mem_available_kb)
  sup=$("$VPCLAB" status "$LAB" | awk '/supervisor pid/ && !done {gsub(/\)/, "", $NF); print $NF; done = 1}')
  pss=$(lab_pss_kb "$sup")
  nsc=$(echo "$out" | sed -n 's/.*: \([0-9]*\) namespaces, \([0-9]*\) processes.*/\1/p')
  prc=$(echo "$out" | sed -n 's/.*: \([0-9]*\) namespaces, \([0-9]*\) processes.*/\2/p')
  t2=$(now)
  "$VPCLAB" down "$LAB" >/dev/null
  t3=$(now)
  LAB=""
  awk -v n="$n" -v ns="$nsc" -v p="$prc" -v up="$(elapsed "$t0" "$t1")" -v down="$(elapsed "$t2" "$t3")" \
      -v pss="$pss" -v drop="$((m0 - m1))" \
      'BEGIN { printf "| %d | %s | %s | %.2f | %.2f | %.0f | %.0f |\n", n, ns, p, up, down, pss / 1024, drop / 1024 }'
done
echo
echo "$(nproc) CPUs, $(uname -r), load before the last run: $(cut -d' ' -f1-3 /proc/loadavg)"
