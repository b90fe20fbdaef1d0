# Shared by the bench scripts (sourced): a scratch folder in $WORK and the
# PIDs in PIDS stopped on exit (TERM, then KILL), the folder removed.
# Usage: bench_scratch NAME
bench_scratch() {
  WORK=$(mktemp -d "/tmp/vpclab-$1.XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}
bench_cleanup() {
  local rc=$?
  # A failed run says why: the stderr of what it started (a proxy that died).
  if [ $rc -ne 0 ]; then
    for f in "$WORK"/*.err; do [ -s "$f" ] && { echo "--- $f:"; tail -20 "$f"; } >&2; done
  fi
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
