#!/usr/bin/env bash
# The Debian package as a user gets it: build it from this build, lintian
# (no errors), apt-get install it into this machine, use the installed tool,
# man pages and completion, then purge it and check that nothing the package
# installed is left. Needs root (apt-get); skips (exit 77) otherwise.
#   tests/package/deb_test.sh BUILD_DIR
set -euo pipefail
BUILD=$(cd "${1:?BUILD_DIR}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: apt-get install needs root"; exit 77; fi
installed() { [[ $(dpkg-query -W -f='${Status}' vpclab 2>/dev/null) == *"ok installed"* ]]; }
if installed; then
  echo "SKIP: a vpclab package is already installed here; not replacing it"; exit 77
fi
OUT=$(mktemp -d)
LAB=pkgtest$$
cleanup() {
  /usr/bin/vpclab down "$LAB" >/dev/null 2>&1 || true
  if installed; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq vpclab >/dev/null 2>&1 || true
  fi
  rm -rf "$OUT"
}
trap cleanup EXIT

DEB=$(bash "$SRC/scripts/make-deb" "$BUILD" "$OUT")
VERSION=$("$BUILD/vpclab" --version | awk '{print $2}')
[[ $(basename "$DEB") == "vpclab_${VERSION}_$(dpkg --print-architecture).deb" ]] || fail "package named $(basename "$DEB")"

# Lintian: no errors (warnings are printed for the record).
lintian --allow-root "$DEB" > "$OUT/lintian.txt" 2>&1 || true
cat "$OUT/lintian.txt"
if grep -q '^E:' "$OUT/lintian.txt"; then fail "lintian reports errors"; fi

# Depends: the libraries the binary links, and iproute2 for labs.
depends=$(dpkg-deb -f "$DEB" Depends)
for need in libc6 libyaml libldns libnftables iproute2; do
  [[ $depends == *"$need"* ]] || fail "Depends lacks $need: $depends"
done

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$DEB" > "$OUT/apt.txt" 2>&1 ||
  { cat "$OUT/apt.txt"; fail "apt-get install"; }
dpkg -L vpclab | while read -r f; do [ -d "$f" ] || echo "$f"; done > "$OUT/files.txt"

[ "$(/usr/bin/vpclab --version)" = "vpclab $VERSION" ] || fail "--version: $(/usr/bin/vpclab --version)"
EX=/usr/share/doc/vpclab/examples/scenario
/usr/bin/vpclab check "$EX/vpclab.yaml" > "$OUT/check.txt" || fail "check of the installed example"
grep -q '^0 errors' "$OUT/check.txt" || fail "check output: $(cat "$OUT/check.txt")"
json_version=$(/usr/bin/vpclab check --json "$EX/vpclab.yaml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["version"])')
[ "$json_version" = "$VERSION" ] || fail "check --json metadata.version $json_version"
sarif_version=$(/usr/bin/vpclab check --format sarif "$EX/vpclab.yaml" | python3 -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["tool"]["driver"]["version"])')
[ "$sarif_version" = "$VERSION" ] || fail "SARIF tool.driver.version $sarif_version"
/usr/bin/vpclab trace "$EX/vpclab.yaml" --from BarApp --to http://alb.home/ > "$OUT/trace.txt" || fail "trace: $(cat "$OUT/trace.txt")"
grep -qi 'reachable' "$OUT/trace.txt" || fail "trace output: $(cat "$OUT/trace.txt")"

for page in vpclab vpclab-trace vpclab-check vpclab-up vpclab-instance; do
  man -w "$page" > /dev/null || fail "man -w $page"
done
page=$(man -P cat vpclab-trace 2>/dev/null)
grep -q 'EXIT STATUS' <<< "$page" || fail "vpclab-trace(1) has no EXIT STATUS"

COMPLETION=/usr/share/bash-completion/completions/vpclab
bash -n "$COMPLETION" || fail "completion script does not parse"
complete_words() {  # complete_words WORD...: what TAB offers for the last word
  # Captured, not piped into grep -q: grep's early exit would SIGPIPE the
  # completion and fail the pipeline under pipefail.
  local offered
  offered=$(bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _vpclab; printf "%s\n" "${COMPREPLY[@]}"' \
    _ "$COMPLETION" "$@")
  printf '%s\n' "$offered"
}
offers() {  # offers WANT WORD...: does TAB after WORD... offer WANT?
  local want=$1 list
  shift
  list=$(complete_words "$@")
  grep -qx -- "$want" <<< "$list"
}
offers trace vpclab tr || fail "vpclab tr<TAB> does not offer trace"
offers BarApp vpclab trace "$EX/same-account.yaml" --from "" || fail "--from <TAB> lacks BarApp"
offers --format vpclab check --f || fail "check --f<TAB> lacks --format"
offers terminate vpclab instance "" || fail "instance <TAB> lacks terminate"
# vpclab down <TAB> lists running labs: a real one, where namespaces work here.
if /usr/bin/vpclab up "$EX/same-account.yaml" --name "$LAB" > "$OUT/up.txt" 2>&1; then
  offers "$LAB" vpclab down "" || fail "down <TAB> does not list lab $LAB"
  /usr/bin/vpclab down "$LAB" > /dev/null || fail "down $LAB"
else
  echo "note: no lab here ($(tail -1 "$OUT/up.txt")); lab-name completion not exercised"
fi

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq vpclab > "$OUT/purge.txt" 2>&1 || { cat "$OUT/purge.txt"; fail "purge"; }
left=0
while read -r f; do
  if [ -e "$f" ]; then echo "left behind: $f"; left=1; fi
done < "$OUT/files.txt"
[ $left -eq 0 ] || fail "files left after purge"
[ -d /usr/share/doc/vpclab ] && fail "/usr/share/doc/vpclab left after purge"
echo "PASS: $(wc -l < "$OUT/files.txt") files installed and removed; $(basename "$DEB")"
