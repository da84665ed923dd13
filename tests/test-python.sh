#!/usr/bin/env bash
# The Python front's pytest suite (tests/python/), run by the system interpreter on the packages
# built in BUILD_DIR/python. Ends with "N passed, N failed, N skipped" from pytest's counts
# (errors count as failures); pytest failing to start or ending without its summary is a failure.
# Usage: tests/test-python.sh BUILD_DIR [FILTER]
#   FILTER is a pytest -k expression; "python" (or a part of it) runs the whole suite.
set -uo pipefail
build=$(realpath "${1:?build dir}")
filter=${2:-}
cd "$(dirname "$0")/.."

if [[ ! -d $build/python/lxns ]]; then
	echo "SKIP python: $build has no Python front (a sanitizer build, or -Dpython=disabled)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(-v --no-header -rfEs -p no:cacheprovider --basetemp="$tmp/pytest" tests/python)
[[ -n $filter && python != *"$filter"* ]] && args+=(-k "$filter")

PYTHONPATH=$build/python PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest "${args[@]}" \
	>"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"

# pytest's last line: "==== 3 failed, 40 passed, 2 skipped, 1 error in 2.31s ====".
count() { # count WORD...: the sum of "N WORD" in the summary
	local w n=0 m
	for w in "$@"; do
		m=$(grep -oE "[0-9]+ $w\b" <<<"$summary" | grep -oE '^[0-9]+') && ((n += m))
	done
	echo "$n"
}
summary=$(grep -E '^=+ .* in [0-9.]+s' "$tmp/out" | tail -n 1)
passed=$(count passed) failed=$(count failed errors error xpassed) skipped=$(count skipped xfailed)
# 5: no test matched the filter
if [[ -z $summary ]] || ((rc != 0 && rc != 5 && failed == 0)); then
	echo "FAIL python: pytest exited with status $rc${summary:+ after: $summary}"
	((failed += 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
