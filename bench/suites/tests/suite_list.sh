#!/bin/sh
# suite_list.sh — TAP: `mapbench suite list` of the tiny fixture prints one
# command line per case and side; bad suites fail with file:line.
mb=$1; data=$2
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$mb" suite list "$data/tiny.suite" -o "$tmp/out" > "$tmp/list" 2> "$tmp/err"; ok $? "list exits 0"
ok "$( [ "$(wc -l < "$tmp/list")" -eq 13 ] && echo 0 || echo 1)" "13 lines: 6 native + 7 model (got $(wc -l < "$tmp/list"))"
ok "$( [ "$(grep -c " run --trace " "$tmp/list")" -eq 6 ] && echo 0 || echo 1)" "6 native command lines"
ok "$( [ "$(grep -c " sim --trace " "$tmp/list")" -eq 7 ] && echo 0 || echo 1)" "7 model command lines"
grep -q -- "--method fread --bufsize 64K --cache tmpfs --reps 2 -o $tmp/out/cases/0006-native.json" "$tmp/list"; ok $? "case 6 native line has its options and output"
grep -q -- "--method anon --madvise hugepage --cache none --profile vm-host" "$tmp/list"; ok $? "anon case line"
grep -q "trace gen seq:size=1M,len=4K -o $tmp/out/traces/seq-" "$tmp/list"; ok $? "lines generate their trace when missing"
"$mb" suite list "$data/tiny.suite" -o "$tmp/out" --model-only --profile other | grep -c "profile other" | grep -qx 7; ok $? "--model-only --profile other"
"$mb" suite list no-such-suite > /dev/null 2> "$tmp/err"; [ $? -eq 2 ] && grep -q "no-such-suite" "$tmp/err"; ok $? "unknown suite: exit 2, named"
printf '[g]\ntrace = seq:size=1M\nmethod = mmap\ncache = lukewarm\n' > "$tmp/bad.suite"
"$mb" suite list "$tmp/bad.suite" > /dev/null 2> "$tmp/err"; [ $? -eq 2 ] && grep -q "bad.suite:4: key 'cache': bad value 'lukewarm'" "$tmp/err"; ok $? "bad suite: exit 2, file:line key value"
[ -e "$tmp/out" ]; ok $((1 - $?)) "list creates nothing"
echo "1..$n"
[ $fail -eq 0 ]
