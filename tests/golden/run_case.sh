#!/usr/bin/env bash
# Runs one golden case of `leadq score` and checks what the case expects.
#
# usage: run_case.sh LEADQ_BINARY CASE_DIR
#
# A case directory holds (see README.md):
#   cmd              one line: the arguments after `leadq`, paths relative to the case directory
#   expected.csv     exact expected stdout (absent: stdout is not checked; empty: stdout must be empty)
#   expected-exit    the exit code: a number, or `nonzero` for any failure exit 1..125 (default 0)
#   expected-stderr  lines that must each appear somewhere in stderr (substring, case-sensitive)
#   expected-files/  files that the run must write, compared byte for byte with the same path in
#                    the case's working copy (for --out)
#
# The case directory is copied to a fresh temporary directory and the command runs there, so a
# case never writes into the source tree. Exit status: 0 when every check passes, 1 on a
# mismatch (each one explained on stderr), 2 on a broken case or bad usage.
set -uo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 LEADQ_BINARY CASE_DIR" >&2
  exit 2
fi

abs_path() {  # an absolute path for an existing file or directory
  if [[ -d $1 ]]; then (cd "$1" && pwd); else echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; fi
}

[[ -x $1 && ! -d $1 ]] || { echo "golden: leadq binary '$1' is not an executable file" >&2; exit 2; }
[[ -d $2 ]] || { echo "golden: case directory '$2' does not exist" >&2; exit 2; }
leadq=$(abs_path "$1")
case_dir=$(abs_path "$2")
case_name=$(basename "$case_dir")
[[ -f $case_dir/cmd ]] || { echo "golden: $case_name: no cmd file" >&2; exit 2; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/leadq-golden.XXXXXX") || exit 2
trap 'rm -rf "$scratch"' EXIT
work=$scratch/case
cp -R "$case_dir" "$work" || exit 2

# The arguments: the first non-blank line of cmd, split on white space (no quoting, no globbing).
cmd_line=""
while IFS= read -r line || [[ -n $line ]]; do
  line=${line%$'\r'}
  if [[ $line =~ [^[:space:]] ]]; then cmd_line=$line; break; fi
done <"$case_dir/cmd"
[[ -n $cmd_line ]] || { echo "golden: $case_name: cmd is empty" >&2; exit 2; }
set -f
read -r -a args <<<"$cmd_line"
set +f

expected_exit=0
if [[ -f $case_dir/expected-exit ]]; then
  expected_exit=$(tr -d '[:space:]' <"$case_dir/expected-exit")
  if [[ ! $expected_exit =~ ^([0-9]+|nonzero)$ ]]; then
    echo "golden: $case_name: expected-exit must be a number or 'nonzero', not '$expected_exit'" >&2
    exit 2
  fi
fi

(cd "$work" && exec "$leadq" "${args[@]}") >"$scratch/stdout" 2>"$scratch/stderr"
actual_exit=$?

failures=0
fail() {
  echo "golden: $case_name: $*" >&2
  failures=$((failures + 1))
}

# Exit code. Codes above 125 are signals (a crash, a sanitizer abort) or "cannot run": never a
# legitimate "nonzero".
if [[ $expected_exit == nonzero ]]; then
  if ((actual_exit == 0)); then
    fail "exit code is 0, expected a failure (1..125)"
  elif ((actual_exit > 125)); then
    fail "exit code is $actual_exit (a crash or a signal), expected a failure exit 1..125"
  fi
elif ((actual_exit != expected_exit)); then
  fail "exit code is $actual_exit, expected $expected_exit"
fi

# Sanitizer reports fail every case, whatever the exit code.
if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$scratch/stderr"; then
  fail "a sanitizer reported an error on stderr"
fi

# Standard output, byte for byte.
if [[ -f $case_dir/expected.csv ]]; then
  if ! cmp -s "$case_dir/expected.csv" "$scratch/stdout"; then
    fail "stdout differs from expected.csv:"
    diff -u --label expected.csv --label stdout "$case_dir/expected.csv" "$scratch/stdout" >&2
    if grep -q $'\r' "$scratch/stdout"; then
      echo "golden: $case_name: note: stdout contains CR characters (lines must end with LF only)" >&2
    fi
  fi
fi

# Standard error: every non-blank line of expected-stderr is a substring of it.
if [[ -f $case_dir/expected-stderr ]]; then
  while IFS= read -r want || [[ -n $want ]]; do
    want=${want%$'\r'}
    [[ $want =~ [^[:space:]] ]] || continue
    if ! grep -qF -- "$want" "$scratch/stderr"; then
      fail "stderr does not contain: $want"
    fi
  done <"$case_dir/expected-stderr"
fi

# Files the run must write.
if [[ -d $case_dir/expected-files ]]; then
  while IFS= read -r -d '' expected_file; do
    rel=${expected_file#"$case_dir/expected-files/"}
    if [[ ! -f $work/$rel ]]; then
      fail "the run did not write $rel"
    elif ! cmp -s "$expected_file" "$work/$rel"; then
      fail "$rel differs from expected-files/$rel:"
      diff -u --label "expected-files/$rel" --label "$rel" "$expected_file" "$work/$rel" >&2
    fi
  done < <(find "$case_dir/expected-files" -type f -print0 | sort -z)
fi

if ((failures > 0)); then
  {
    echo "golden: $case_name: FAILED ($failures mismatch(es))"
    echo "  command: (cd $case_dir && $leadq $cmd_line)"
    echo "  exit code: $actual_exit"
    echo "  ---- stderr (first 40 lines) ----"
    head -n 40 "$scratch/stderr" | sed 's/^/  /'
    echo "  ---- stdout (first 40 lines) ----"
    head -n 40 "$scratch/stdout" | sed 's/^/  /'
  } >&2
  exit 1
fi
echo "golden: $case_name: ok"
