#!/bin/sh
# tests/cli_trace.sh — TAP: `mapbench trace` at the CLI level: gen is
# deterministic (same spec -> same bytes), dump -> text -> same hash, errors
# exit 2 and write nothing, an existing output is not replaced on error.
mb=$1
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }

"$mb" trace gen uniform:size=16M,len=64,n=10000,seed=3 -o "$d/a.mtr"; ok $? "gen uniform exits 0"
"$mb" trace gen uniform:size=16M,len=64,n=10000,seed=3 -o "$d/b.mtr"; ok $? "gen again"
cmp -s "$d/a.mtr" "$d/b.mtr"; ok $? "same spec -> byte-identical file"
"$mb" trace gen uniform:size=16M,len=64,n=10000,seed=4 -o "$d/c.mtr"
! cmp -s "$d/a.mtr" "$d/c.mtr"; ok $? "another seed -> another file"
"$mb" trace dump "$d/a.mtr" -o "$d/a.txt"; ok $? "dump to text"
h1=$("$mb" trace stat --json "$d/a.mtr" | grep -o '"hash": "[^"]*"')
h2=$("$mb" trace stat --json "$d/a.txt" | grep -o '"hash": "[^"]*"')
[ -n "$h1" ] && [ "$h1" = "$h2" ]; ok $? "text form carries the same content hash ($h1)"
recs=$("$mb" trace stat --json "$d/a.mtr" | grep -o '"records": [0-9]*')
[ "$recs" = '"records": 10000' ]; ok $? "stat counts 10000 records ($recs)"

echo keep > "$d/out.mtr"
"$mb" trace gen seq:size=1M,len=0 -o "$d/out.mtr" 2>"$d/err"; rc=$?
[ $rc -eq 2 ]; ok $? "len=0 exits 2 (got $rc)"
grep -q "len" "$d/err"; ok $? "error names the key: $(head -c 200 "$d/err")"
[ "$(cat "$d/out.mtr")" = keep ]; ok $? "existing output untouched on error"
"$mb" trace stat "$d/missing.mtr" 2>"$d/err"; rc=$?
[ $rc -eq 2 ] && grep -q "missing.mtr" "$d/err"; ok $? "missing file exits 2 and names it"
head -c 100 "$d/a.mtr" > "$d/trunc.mtr"
"$mb" trace stat "$d/trunc.mtr" 2>"$d/err"; rc=$?
[ $rc -eq 2 ] && [ -s "$d/err" ]; ok $? "truncated trace refused: $(head -c 200 "$d/err")"
ls "$d" | grep -q tmp; [ $? -ne 0 ]; ok $? "no temp files left behind"
echo "1..$n"
[ $fail -eq 0 ]
