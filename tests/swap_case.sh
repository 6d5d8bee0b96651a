#!/bin/sh
# tests/swap_case.sh — TAP, integration: anonymous memory over swap, both
# worlds. Without swap, `run --method anon --mem-limit` below the region exits
# 77 naming the reason and writes nothing. With swap — this test makes a
# temporary swap file in the build directory, enables it, and removes it on
# every exit path (the harness itself never creates swap) — the same run
# pages out and back in: swap.out, swap.in and major faults are counted and
# nonzero, and the model of the same case (host profile when cached, else
# the stock one) predicts swap-ins too. Skips where it cannot make swap
# (not root, no swapon, a filesystem that refuses swap files) or when swap
# is already on (it must not disturb the host's swap areas).
mb=$1
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
skip() { echo "1..0 # SKIP $1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "not root: cannot enable a swap file"
command -v swapon >/dev/null && command -v mkswap >/dev/null || skip "swapon/mkswap not installed"
[ "$(wc -l </proc/swaps)" -le 1 ] || skip "swap is already enabled on this host ($(tail -n +2 /proc/swaps | awk '{print $1}' | tr '\n' ' ')): not touching it"
# the median of metric M in F.csv (case,metric,unit,status,median,min,max,mad,n; the
# quoted case holds commas: count from the end); empty if absent or not "ok"
val() { awk -F, -v m="$2" '$(NF-7) == m && $(NF-5) == "ok" { print $(NF-4); exit }' "$1"; }

d=$(mktemp -d "${MESON_BUILD_ROOT:-$PWD}/swaptest.XXXXXX")
sw="$d/swapfile"
cleanup() { swapoff "$sw" 2>/dev/null; rm -rf "$d"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# 64 MiB of anonymous memory written at random under a 32 MiB limit (writes:
# reads of untouched anonymous memory map the zero page and charge nothing)
"$mb" trace gen uniform:size=64M,len=4K,n=16K,seed=1,anon=1,w=1 -o "$d/anon.mtr"
ok $? "trace generated"

# no swap: refused with the reason, nothing written
"$mb" run --trace "$d/anon.mtr" --method anon --mem-limit 32M --reps 1 -o "$d/noswap.json" >/dev/null 2>"$d/err"; rc=$?
[ $rc -eq 77 ] && grep -qi swap "$d/err" && [ ! -e "$d/noswap.json" ]
ok $? "without swap: exit $rc (77 wanted) with the reason, no result: $(head -c 200 "$d/err")"

# with a temporary 256 MiB swap file
if ! { fallocate -l 256M "$sw" 2>/dev/null || dd if=/dev/zero of="$sw" bs=1M count=256 2>/dev/null; } ||
	! chmod 600 "$sw" || ! mkswap "$sw" >/dev/null 2>&1 || ! swapon "$sw" 2>"$d/swapon.err"; then
	echo "# cannot enable a swap file here: $(cat "$d/swapon.err" 2>/dev/null)"
	echo "1..$n # swap half skipped"
	[ $fail -eq 0 ]; exit
fi
grep -q "$sw" /proc/swaps; ok $? "temporary swap file enabled"

"$mb" run --trace "$d/anon.mtr" --method anon --mem-limit 32M --reps 1 --csv "$d/n.csv" -o "$d/n.json" >/dev/null 2>"$d/err"; rc=$?
ok $rc "with swap: the run succeeds (exit $rc): $(head -c 200 "$d/err")"
so=$(val "$d/n.csv" swap.out); si=$(val "$d/n.csv" swap.in); mj=$(val "$d/n.csv" faults.major)
[ -n "$so" ] && [ "${so%.*}" -gt 0 ]; ok $? "native swap.out counted and > 0 ($so pages)"
[ -n "$si" ] && [ "${si%.*}" -gt 0 ]; ok $? "native swap.in counted and > 0 ($si pages)"
[ -n "$mj" ] && [ "${mj%.*}" -gt 0 ]; ok $? "native major faults > 0 ($mj: do_swap_page)"

prof=host; "$mb" sim --trace "$d/anon.mtr" --profile host --method anon --mem-limit 32M -o "$d/m.json" >/dev/null 2>&1 || prof=vm-host
"$mb" sim --trace "$d/anon.mtr" --profile "$prof" --method anon --mem-limit 32M -o "$d/m.json" >"$d/m.txt" 2>&1; rc=$?
ok $rc "model of the same case (profile $prof, exit $rc)"
mmj=$(awk '$1 == "faults.major" { print $2; exit }' "$d/m.txt")
[ -n "$mmj" ] && [ -n "$mj" ] && awk -v a="$mmj" -v b="$mj" 'BEGIN { exit !(a > 0 && a >= b * 0.75 && a <= b * 1.25) }'
ok $? "model major faults within ±25% of native (model $mmj, native $mj)"
echo "# native swap.out $so swap.in $si faults.major $mj; model faults.major $mmj (profile $prof)"

swapoff "$sw"; ok $? "swap file disabled"
echo "1..$n"
[ $fail -eq 0 ]
