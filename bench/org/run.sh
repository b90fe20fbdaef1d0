#!/usr/bin/env bash
# Organisation-scale benchmark (issue 13): labs of 1,000 and 5,000 VPCs over
# three Regions (bench/org/gen_org.py), `vpclab check` end to end, then
# loading, indexing and tracing them (build/bench/org_bench). Not a test.
# Usage: bench/org/run.sh [BUILD_DIR]     (default build; needs `--target vpclab org_bench`)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[ -x "$BUILD/vpclab" ] && [ -x "$BUILD/bench/org_bench" ] ||
  { echo "build first: cmake --build $BUILD --target vpclab org_bench" >&2; exit 2; }
WORK=$(mktemp -d /tmp/vpclab-org.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1000 5000; do
  python3 "$ROOT/bench/org/gen_org.py" --vpcs $n --out "$WORK/org$n"
  echo "== $n VPCs ($(du -sh "$WORK/org$n" | cut -f1) of YAML in $(ls "$WORK/org$n" | wc -l) files)"
  /usr/bin/time -f "vpclab check: %e s wall, %U s user, %M KB" "$BUILD/vpclab" check "$WORK/org$n/vpclab.yaml" 2>&1 | tail -2
  "$BUILD/bench/org_bench" "$WORK/org$n/vpclab.yaml" 200
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
