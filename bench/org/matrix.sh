#!/usr/bin/env bash
# `vpclab matrix --group-by` at organisation scale (issue 13): the labs of
# bench/org/gen_org.py (1,000 and 5,000 VPCs over three Regions by default),
# each grouping timed end to end (load, index, classes, cells, text output),
# then the answer's size, then in process (build/bench/org_bench LAB matrix):
# load, index and each grouping alone. Not a test; run alone (2 cores).
# Usage: bench/org/matrix.sh [BUILD_DIR] [SIZES...]   (default build, 1000 5000; needs `--target vpclab org_bench`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
shift || true
SIZES=${*:-1000 5000}
[ -x "$BUILD/vpclab" ] && [ -x "$BUILD/bench/org_bench" ] ||
  { echo "build first: cmake --build $BUILD --target vpclab org_bench" >&2; exit 2; }
WORK=$(mktemp -d /tmp/vpclab-org-matrix.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $SIZES; do
  python3 "$ROOT/bench/org/gen_org.py" --vpcs "$n" --out "$WORK/org$n"
  echo "== $n VPCs"
  for kind in vpc subnet security-group; do
    /usr/bin/time -f "matrix --group-by $kind: %e s wall, %U s user, %M KB" \
      "$BUILD/vpclab" matrix "$WORK/org$n/vpclab.yaml" --group-by "$kind" > "$WORK/out.txt" 2> "$WORK/time.txt" ||
      { cat "$WORK/time.txt" >&2; exit 1; }
    tail -1 "$WORK/time.txt"
    echo "  text: $(wc -l < "$WORK/out.txt") lines; $(head -1 "$WORK/out.txt")"
  done
  "$BUILD/vpclab" matrix "$WORK/org$n/vpclab.yaml" --group-by vpc --json | python3 -c '
import json, sys
g = json.load(sys.stdin)
classes, cells = g["classes"], g["cells"]
widest = max(c["vpcs"] for c in classes)
scoped = sum(1 for c in cells if "vpc" in c)
print("  json (vpc): %d classes, the widest spans %d VPCs, %d cells (%d for one VPC or two)"
      % (len(classes), widest, len(cells), scoped))'
  "$BUILD/bench/org_bench" "$WORK/org$n/vpclab.yaml" matrix
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
