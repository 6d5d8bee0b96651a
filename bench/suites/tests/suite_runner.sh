#!/bin/sh
# suite_runner.sh — TAP: `mapbench suite run` driving a fake mapbench (--exe):
# full run and merge, a failing case (suite goes on, exit 1, summary), and
# SIGINT mid-suite (exit 130, valid results marked partial, finished cases kept).
mb=$1; data=$2
here=$(cd "$(dirname "$0")" && pwd); fake=$here/fake_mapbench.sh
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! command -v python3 > /dev/null; then echo "1..0 # SKIP python3 needed to check JSON"; exit 0; fi
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

"$mb" suite run "$data/tiny.suite" -o "$tmp/a" --exe "$fake" -q 2> "$tmp/a.err"; ok $? "tiny suite with fake mapbench exits 0"
ok "$( [ "$(js "$tmp/a/native.json" "len(d['cases'])")" = 6 ] && echo 0 || echo 1)" "native.json has 6 cases"
ok "$( [ "$(js "$tmp/a/model.json" "len(d['cases'])")" = 7 ] && echo 0 || echo 1)" "model.json has 7 cases"
ok "$( [ "$(js "$tmp/a/model.json" "d['partial']")" = False ] && echo 0 || echo 1)" "complete run is not partial"
[ -s "$tmp/a/compare.md" ] && [ -s "$tmp/a/report.md" ] && [ -d "$tmp/a/plots" ] || [ -s "$tmp/a/plots" ]; ok $? "compare, plot and report ran"
ok "$( [ "$(js "$tmp/a/suite.json" "sum(t['state']=='ok' for t in d['tasks'])")" -ge 16 ] && echo 0 || echo 1)" "suite.json records every task"
ok "$( [ "$(ls "$tmp/a/traces" | wc -l)" = 2 ] && echo 0 || echo 1)" "each distinct trace generated once (2)"

"$mb" suite run "$data/fail.suite" -o "$tmp/b" --exe "$fake" 2> "$tmp/b.err"; ok "$( [ $? = 1 ] && echo 0 || echo 1)" "a failing case: exit 1"
grep -q "injected failure" "$tmp/b.err"; ok $? "failure summary names the case's error"
ok "$( [ "$(js "$tmp/b/native.json" "len(d['cases'])")" = 2 ] && echo 0 || echo 1)" "the other native cases are kept (2)"
ok "$( [ "$(js "$tmp/b/model.json" "len(d['cases'])")" = 3 ] && echo 0 || echo 1)" "every model case ran (3)"

# a private copy of the fake, so the no-child check below does not see other runs of this test
cp "$fake" "$tmp/fake_c.sh"; fake=$tmp/fake_c.sh
FAKE_SLEEP=0.4 "$mb" suite run "$data/tiny.suite" -o "$tmp/c" --exe "$fake" -j 1 2> "$tmp/c.err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; st=$?
ok "$( [ $st = 130 ] && echo 0 || echo 1)" "SIGINT mid-suite: exit 130 (got $st)"
ok "$( [ "$(js "$tmp/c/model.json" "d['partial']")" = True ] && echo 0 || echo 1)" "model.json is valid and marked partial"
k=$(js "$tmp/c/model.json" "len(d['cases'])")
ok "$( [ "${k:-0}" -ge 1 ] && [ "${k:-0}" -lt 7 ] && echo 0 || echo 1)" "finished cases kept (${k:-none} of 7)"
ok "$( [ "$(js "$tmp/c/native.json" "d['partial']")" = True ] && echo 0 || echo 1)" "native.json is valid and marked partial"
ok "$( [ "$(js "$tmp/c/suite.json" "d['interrupted']")" = True ] && echo 0 || echo 1)" "suite.json says interrupted"
"$mb" merge -o "$tmp/c/merged.json" "$tmp/c/native.json" "$tmp/c/model.json" > /dev/null 2> "$tmp/c/merge.err"
ok $? "the partial files pass mapbench's result validator (merge reads them)"
sleep 0.5
ok "$( pgrep -f "$fake" > /dev/null && echo 1 || echo 0)" "no child left running"
echo "1..$n"
[ $fail -eq 0 ]
