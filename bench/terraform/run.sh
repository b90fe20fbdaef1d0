#!/usr/bin/env bash
# `vpclab check` on a generated 1,000-VPC Terraform plan (docs/performance.md).
#   bench/terraform/run.sh [BUILD] [VPCS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
vpcs=${2:-1000}
plan=$(mktemp -d)/plan.json
python3 "$root/bench/terraform/gen_plan.py" vpcs "$vpcs" > "$plan"
echo "plan: $vpcs VPCs, $(stat -c %s "$plan") bytes"
for i in 1 2 3; do
  /usr/bin/time -f "%e s wall %U s user %M KB" "$build/vpclab" check "$plan" | tail -1
done
rm -rf "$(dirname "$plan")"
