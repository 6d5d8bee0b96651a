#!/bin/sh
# tests/model_gate.sh — TAP, golden: the model regression gate (ci/gate):
# the model's results for the default suite with the stock profiles must equal
# the committed baseline results/model-default.json, metric for metric.
# A deliberate change is recorded with `ci/gate --update "REASON" MAPBENCH`.
src=$1; mb=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
if "$src/ci/gate" "$mb" "$d" >"$d/out.txt" 2>&1; then
	echo "ok 1 - model results equal results/model-default.json ($(grep -o '[0-9]* row(s)[^;]*' "$d/out.txt" | head -1))"
else
	echo "not ok 1 - model results differ from results/model-default.json"
	sed 's/^/#   /' "$d/out.txt" | head -40
	[ -f "$d/gate.md" ] && grep -E "FAIL|fail" "$d/gate.md" | head -40 | sed 's/^/#   /'
fi
echo "1..1"
