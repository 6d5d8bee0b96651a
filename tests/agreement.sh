#!/bin/sh
# tests/agreement.sh — TAP, integration: run the small cross-check suite
# tests/data/agreement.suite (native + model) and fail when the two witnesses
# stop agreeing on faults, page-table bytes, syscalls or page-cache additions.
src=$1; mb=$2
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
MAPBENCH_SUITES="$src/bench/suites" "$mb" suite run "$src/tests/data/agreement.suite" -o "$d/out" --no-analysis -q >"$d/log" 2>&1
ok $? "agreement suite ran: $(tail -n 1 "$d/log")"
for fam in faults pt syscalls pagecache; do
	"$mb" compare "$d/out/native.json" "$d/out/model.json" --fail-beyond-tolerance $fam >"$d/cmp-$fam" 2>&1
	rc=$?
	ok $rc "$fam: model agrees with native ($(grep -E "^$fam " "$d/cmp-$fam" | awk '{print $2" compared, "$3" within"}'))"
	[ $rc -eq 0 ] || grep -E "beyond|missing" "$d/cmp-$fam" | head -10 | sed 's/^/#   /'
done
echo "1..$n"
[ $fail -eq 0 ]
