#!/usr/bin/env bash
# The commands of examples/ci (docs/ci.md) as the CI service would run them,
# without the service: the run:/script: commands are read from the files
# (tests/ci/steps.py), run with the built vpclab on PATH in a scratch git
# repository made from examples/ (a bare "origin" whose main holds the
# scenario, and a pull request that opens SSH to the world on the web servers),
# then what a user sees is checked: exit codes, the SARIF, the JUnit report,
# the markdown comment. Steps that need GitHub or the network (installing the
# release, checkout, uploads, posting the comment) are skipped by name.
#   tests/ci/ci_examples_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
CI="$SRC/examples/ci"
fail() { echo "FAIL: $*" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export PATH="$BUILD:$PATH"
export HOME="$WORK/home"   # the steps may write git's global config
mkdir -p "$HOME"
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.invalid GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.invalid
[ "$(command -v vpclab)" = "$BUILD/vpclab" ] || fail "vpclab on PATH is $(command -v vpclab)"

# The repository: the scenario at the top (LAB=. and POLICY=policy.yaml, as
# the examples' defaults), pushed to origin/main; the pull request on a branch.
git init -q --bare -b main "$WORK/origin.git"
REPO="$WORK/repo"
git init -q -b main "$REPO"
cp -r "$SRC"/examples/scenario/. "$REPO"/
git -C "$REPO" add -A
git -C "$REPO" commit -q -m "the scenario"
git -C "$REPO" remote add origin "$WORK/origin.git"
git -C "$REPO" push -q origin main
git -C "$REPO" checkout -q -b open-ssh
cp "$SRC/examples/broken/ssh-open-to-world.yaml" "$REPO/same-account.yaml"
git -C "$REPO" commit -q -a -m "web servers: SSH from anywhere"
SSH_LINE=$(grep -n 'FromPort: 22.*CidrIp: 0.0.0.0/0' "$REPO/same-account.yaml" | cut -d: -f1)
[ -n "$SSH_LINE" ] || fail "the broken copy has no SSH rule from 0.0.0.0/0"

# What the steps wrote, as a user reads it.
sarif_rules() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]["results"]; print(" ".join(x["ruleId"] for x in r))' "$1"; }
junit_cases() {  # "CASES FAILED FAILED-NAMES..."
  python3 -c '
import sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
cases = [(c.get("name"), c.find("failure") is not None) for c in cases]
print(len(cases), sum(f for _, f in cases), *[n for n, f in cases if f])' "$1"
}

# The pull request's findings, in the files the steps leave in the repository.
check_outputs() {  # check_outputs WHO
  local who=$1 rules cases
  [ -s "$REPO/vpclab-check.sarif" ] || fail "$who: no vpclab-check.sarif"
  rules=$(sarif_rules "$REPO/vpclab-check.sarif") || fail "$who: vpclab-check.sarif is not SARIF JSON"
  [[ " $rules " == *" SSH_OPEN_TO_WORLD "* ]] || fail "$who: SARIF results: '$rules'"
  cases=$(junit_cases "$REPO/vpclab-assert.xml") || fail "$who: vpclab-assert.xml is not XML"
  read -r total failed names <<< "$cases"
  [ "$total" -gt 1 ] || fail "$who: JUnit test cases: $cases"
  [ "$failed" = 1 ] && [ "$names" = bar-reaches-foo-only-by-http-to-the-alb ] || fail "$who: JUnit failures: $cases"
  grep -F 'FooWebSecurityGroup' "$REPO/vpclab-diff.md" > /dev/null || fail "$who: the comment does not name the changed group: $(cat "$REPO/vpclab-diff.md")"
  grep -F "same-account.yaml:$SSH_LINE:" "$REPO/vpclab-diff.md" > /dev/null || fail "$who: the comment does not point at line $SSH_LINE"
  grep -E 'gained.*FooWeb1' "$REPO/vpclab-diff.md" > /dev/null || fail "$who: the comment shows no exposure gained"
}

# --- GitHub Actions: each step as the runner would (bash -eo pipefail). ---
GH_SKIP=("Install vpclab" "Check out" "Upload SARIF" "Upload JUnit" "Post the diff as a comment")
run_github() {  # run_github REV: sets GH_EXIT[step name]
  local steps="$WORK/gh-$1" name
  rm -rf "$steps" && mkdir -p "$steps"
  python3 "$SRC/tests/ci/steps.py" github "$CI/github-actions.yml" "$steps"
  git -C "$REPO" checkout -q "$1"
  rm -f "$REPO"/vpclab-*
  export GITHUB_STEP_SUMMARY="$steps/summary.md" GITHUB_OUTPUT="$steps/output"
  : > "$GITHUB_STEP_SUMMARY"
  unset GH_EXIT; declare -gA GH_EXIT
  for f in "$steps"/*.name; do
    name=$(cat "$f")
    if printf '%s\n' "${GH_SKIP[@]}" | grep -Fx -- "$name" > /dev/null; then
      echo "SKIP github step '$name' (needs GitHub or the network)"
      continue
    fi
    [ -f "${f%.name}.sh" ] || fail "github step '$name' has no run: and is not skipped"
    GH_EXIT[$name]=0
    (set -a; . "$steps/env.sh"; cd "$REPO" && bash --noprofile --norc -eo pipefail "${f%.name}.sh") \
      > "$steps/$name.log" 2>&1 || GH_EXIT[$name]=$?
    echo "ran github step '$name': exit ${GH_EXIT[$name]}"
  done
  for want in "vpclab check" "vpclab assert" "vpclab diff"; do
    [ -n "${GH_EXIT[$want]:-}" ] || fail "the workflow has no step '$want'"
  done
}

# On main itself nothing differs and every rule holds: every step passes.
run_github main
for s in "${!GH_EXIT[@]}"; do
  [ "${GH_EXIT[$s]}" = 0 ] || fail "github on main: '$s' exit ${GH_EXIT[$s]}: $(cat "$WORK/gh-main/$s.log")"
done
grep -F 'No reachability difference' "$REPO/vpclab-diff.md" > /dev/null || fail "github on main: comment $(cat "$REPO/vpclab-diff.md")"

# The pull request: check passes (SSH_OPEN_TO_WORLD is a lint, a warning),
# assert fails (exit 1), diff fails on the exposure gained (exit 1).
run_github open-ssh
[ "${GH_EXIT[vpclab check]}" = 0 ] || fail "github: check exit ${GH_EXIT[vpclab check]}"
[ "${GH_EXIT[vpclab assert]}" = 1 ] || fail "github: assert exit ${GH_EXIT[vpclab assert]}"
[ "${GH_EXIT[vpclab diff]}" = 1 ] || fail "github: diff exit ${GH_EXIT[vpclab diff]}"
check_outputs github
cmp -s "$REPO/vpclab-diff.md" "$GITHUB_STEP_SUMMARY" || fail "github: the job summary is not the comment"
grep -F 'FooWebSecurityGroup' "$WORK/gh-open-ssh/vpclab diff.log" > /dev/null || fail "github: the diff is not in the step's log"

# --- GitLab CI: the script: lines in one shell, as the runner does. ---
GL="$WORK/gl"
mkdir -p "$GL"
python3 "$SRC/tests/ci/steps.py" gitlab "$CI/gitlab-ci.yml" "$GL"
while read -r key; do echo "SKIP gitlab $key (installs the release / posts to GitLab's API)"; done < "$GL/skipped.txt"
rm -f "$REPO"/vpclab-*
gl_exit=0
(set -a; . "$GL/env.sh"; cd "$REPO" && bash --noprofile --norc -eo pipefail "$GL/script.sh") > "$GL/log" 2>&1 || gl_exit=$?
echo "ran gitlab script: exit $gl_exit"
[ "$gl_exit" = 1 ] || fail "gitlab: exit $gl_exit: $(cat "$GL/log")"
check_outputs gitlab

# --- The pre-commit hook: a staged bad change is rejected, a harmless one is not. ---
git -C "$REPO" checkout -q main
rm -f "$REPO"/vpclab-*
install -m 0755 "$CI/pre-commit" "$REPO/.git/hooks/pre-commit"
head_before=$(git -C "$REPO" rev-parse HEAD)
cp "$SRC/examples/broken/ssh-open-to-world.yaml" "$REPO/same-account.yaml"
git -C "$REPO" add same-account.yaml
hook_exit=0
out=$(cd "$REPO" && git commit -q -m "SSH from anywhere" 2>&1) || hook_exit=$?
[ "$hook_exit" -ne 0 ] || fail "pre-commit let the bad change in"
[ "$(git -C "$REPO" rev-parse HEAD)" = "$head_before" ] || fail "pre-commit: a commit was made"
grep -F 'bar-reaches-foo-only-by-http-to-the-alb' <<< "$out" > /dev/null || fail "pre-commit does not say which rule: $out"
echo "pre-commit rejected the staged bad change: exit $hook_exit"
# The index decides, not the working tree: the bad file stays unstaged while a good change is committed.
git -C "$REPO" reset -q
sed -i '1i # reviewed' "$REPO/policy.yaml"
git -C "$REPO" add policy.yaml
(cd "$REPO" && git commit -q -m "a comment") || fail "pre-commit rejected a harmless staged change"
echo "pre-commit accepted a harmless staged change with the bad one unstaged"
echo "PASS"
