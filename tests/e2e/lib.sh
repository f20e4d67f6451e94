# Helpers for the end-to-end tests: each test is a bash script that drives the real binary.
# Usage: source lib.sh; the binary is $LEADQ; a fresh temporary directory is $T.
set -euo pipefail
LEADQ=${1:?usage: $0 path/to/leadq}
T=$(mktemp -d "${TMPDIR:-/tmp}/leadq-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
export LEADQ_USER=e2e
export LEADQ_THREADS=2
failures=0
checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

# expect_ok "what" cmd...: the command exits 0.
expect_ok() {
  local what=$1; shift
  if out=$("$@" 2>&1); then pass; else fail "$what: exit $? from: $*"$'\n'"$out"; fi
  LAST="$out"
}
# expect_fail "what" cmd...: the command exits non-zero (but not from a crash).
expect_fail() {
  local what=$1; shift
  set +e; out=$("$@" 2>&1); code=$?; set -e
  if [ $code -ne 0 ] && [ $code -lt 126 ]; then pass; else fail "$what: expected a failure exit, got $code from: $*"$'\n'"$out"; fi
  if grep -q "Sanitizer" <<<"$out"; then fail "$what: sanitizer report"$'\n'"$out"; fi
  LAST="$out"
}
# expect_in "what" needle: $LAST contains needle.
expect_in() {
  if grep -qF -- "$2" <<<"$LAST"; then pass; else fail "$1: expected to find '$2' in:"$'\n'"$LAST"; fi
}
expect_eq() {
  if [ "$2" == "$3" ]; then pass; else fail "$1: expected '$3', got '$2'"; fi
}
finish() {
  echo "$checks passed, $failures failed"
  [ $failures -eq 0 ]
}
