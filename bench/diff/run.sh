#!/usr/bin/env bash
# `vpclab diff` on the 1,000-VPC bench lab (bench/gen_template.py: 5,000
# instances, 20,000 security-group rules): one ingress rule changed, diffed
# incrementally (the default) and with --full (every pair recomputed), the
# answers compared. Usage: bench/diff/run.sh [BUILD_DIR] [VPCS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
vpcs=${2:-1000}
vpclab=$(realpath "$build/vpclab")
source "$here/../lib.sh"
bench_scratch diff
python3 "$here/../gen_template.py" --vpcs "$vpcs" --out "$WORK/old" > /dev/null
cp -r "$WORK/old" "$WORK/new"
# The first web group's first rule: tcp/8000 from its own VPC becomes tcp/9000 from 10.0.0.0/8.
sed -i '0,/FromPort: 8000, ToPort: 8000, CidrIp: [0-9.\/]*/s//FromPort: 9000, ToPort: 9000, CidrIp: 10.0.0.0\/8/' "$WORK/new/stack0000.yaml"
diff -r "$WORK/old" "$WORK/new" || true
run() {  # label, extra flags
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  "$vpclab" diff "$WORK/old/vpclab.yaml" "$WORK/new/vpclab.yaml" --json "${@:2}" > "$WORK/$1.json" || rc=$?
  t1=$(date +%s.%N)
  [ "$rc" = 1 ] || { echo "diff exited $rc (expected 1: differences)" >&2; exit 1; }
  printf '| %s | %.2f s | %s |\n' "$1" "$(echo "$t1 - $t0" | bc)" \
    "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["allowed_classes"], "allowed /", d["blocked_classes"], "blocked classes")' "$WORK/$1.json")"
}
echo "| run | wall | answer |"
echo "|---|---|---|"
for i in 1 2 3; do run incremental; done
run full --full
cmp "$WORK/incremental.json" "$WORK/full.json" && echo "incremental and full answers identical"
