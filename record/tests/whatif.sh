#!/bin/sh
# record/tests/whatif.sh — TAP: mapbench whatif on a tiny recorded trace:
# model-only table (every method x cache, the baseline at 1.00x, the JSON),
# a native+model run (measured speed-ups present), and its refusals.
# usage: whatif.sh MAPBENCH KNOWN_READS
# under AddressSanitizer the recorded program is an ASan binary loaded after
# the interposer (LD_PRELOAD comes first): tell ASan that order is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mb=$1 kr=$2
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
echo "1..5"
head -c 65536 /dev/zero > "$t/data.bin"
"$mb" record -o "$t/k.mtr" --file "$t/data.bin" -- "$kr" "$t/data.bin" > "$t/rep" 2>&1 || { echo "Bail out! record failed"; cat "$t/rep"; exit 1; }
if "$mb" whatif "$t/k.mtr" -o "$t/m" --model-only --profile vm-host -q > "$t/out" 2> "$t/err"; then
	rows=$(grep -c '^| \(mmap\|read\|fread\|io_uring\)' "$t/out")
	base=$(grep -c '^| read | n/a | [0-9.]* | [^|]*|[^|]*|[^|]*| n/a | 1.00x |' "$t/out")
	if [ "$rows" -eq 10 ] && [ "$base" -eq 2 ] && grep -q 'the program used read' "$t/out"; then
		echo "ok 1 - model-only table: 5 methods x 2 caches, read is the 1.00x baseline"
	else
		echo "not ok 1 - model-only table ($rows rows, $base baselines)"; sed 's/^/# /' "$t/out"
	fi
else
	echo "not ok 1 - whatif --model-only failed"; sed 's/^/# /' "$t/err"
fi
if [ -s "$t/m/whatif.json" ] && [ "$(grep -c '"method":' "$t/m/whatif.json")" -eq 10 ] &&
   grep -q '"used": "read"' "$t/m/whatif.json" && cmp -s "$t/out" "$t/m/whatif.md"; then
	echo "ok 2 - whatif.json has the 10 rows, whatif.md is the printed table"
else
	echo "not ok 2 - whatif.json/whatif.md"; head -20 "$t/m/whatif.json" | sed 's/^/# /'
fi
if "$mb" whatif "$t/k.mtr" -o "$t/n" --profile vm-host --methods 'mmap;read' --cache warm-read --reps 1 -q > "$t/out2" 2> "$t/err2" &&
   grep -q '^| read | [0-9.]* | [0-9.]* |.*| 1.00x | 1.00x |' "$t/out2" &&
   grep -q '^| mmap[^|]* | [0-9.]* | [0-9.]* |.*| [0-9.]*x | [0-9.]*x |' "$t/out2"; then
	echo "ok 3 - native and model: measured and predicted speed-ups"
else
	echo "not ok 3 - native whatif"; sed 's/^/# /' "$t/out2" "$t/err2" | tail -30
fi
"$mb" whatif "$t/k.mtr" -o "$t/u" --used mumble > /dev/null 2> "$t/err3"
if [ $? -eq 2 ] && grep -q "used 'mumble': expected mmap, read, fread or io_uring" "$t/err3" && [ ! -e "$t/u" ]; then
	echo "ok 4 - bad --used refused, nothing written"
else
	echo "not ok 4 - bad --used"; sed 's/^/# /' "$t/err3"
fi
"$mb" trace gen "seq:size=1M,len=4K,anon=1" -o "$t/a.mtr" > /dev/null 2>&1
"$mb" whatif "$t/a.mtr" -o "$t/a" > /dev/null 2> "$t/err4"
if [ $? -eq 2 ] && grep -q "anonymous-memory trace" "$t/err4"; then
	echo "ok 5 - anonymous trace refused with the reason"
else
	echo "not ok 5 - anon trace"; sed 's/^/# /' "$t/err4"
fi
