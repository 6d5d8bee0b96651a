#!/bin/sh
# tests/resources.sh — TAP, integration: the harness refuses, before writing
# anything, a region larger than available memory (anonymous, tmpfs) or than
# the scratch directory's free space (file), naming the size and the limit.
mb=$1
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
"$mb" trace gen seq:size=64T,len=4K,n=10,anon=1 -o "$d/anon.mtr" && "$mb" trace gen seq:size=64T,len=4K,n=10 -o "$d/file.mtr"
ok $? "64 TiB traces generated (a region the machine cannot hold)"
for c in "anon.mtr --method anon:MemAvailable" "file.mtr --method read:free" "file.mtr --method mmap --cache tmpfs:MemAvailable"; do
	args=${c%%:*}; want=${c##*:}
	# shellcheck disable=SC2086
	"$mb" run --trace "$d/"$args --dir "$d/scratch" -o "$d/out.json" >/dev/null 2>"$d/err"; rc=$?
	[ $rc -eq 2 ] && grep -q "64 TiB" "$d/err" && grep -q "$want" "$d/err" && [ ! -e "$d/out.json" ]
	ok $? "run $args refused with size and limit (exit $rc): $(head -c 160 "$d/err")"
done
[ -z "$(ls "$d/scratch" 2>/dev/null)" ]; ok $? "nothing left in the scratch directory"
# SIGTERM while the 4 GiB data file is being written: every scratch file goes
"$mb" trace gen seq:size=4G,len=4K,n=10 -o "$d/big.mtr"
"$mb" run --trace "$d/big.mtr" --method read --dir "$d/scratch2" -o "$d/big.json" >/dev/null 2>&1 &
pid=$!
i=0; while [ $i -lt 50 ] && [ -z "$(ls "$d/scratch2" 2>/dev/null | grep tmp)" ]; do sleep 0.1; i=$((i + 1)); done
kill -TERM $pid; wait $pid; rc=$?
[ $rc -eq 143 ] && [ -z "$(ls "$d/scratch2" 2>/dev/null)" ] && [ ! -e "$d/big.json" ]
ok $? "SIGTERM during data-file creation (exit $rc) leaves no scratch file: $(ls "$d/scratch2" 2>/dev/null | tr '\n' ' ')"
echo "1..$n"
[ $fail -eq 0 ]
