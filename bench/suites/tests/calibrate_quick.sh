#!/bin/sh
# calibrate_quick.sh — TAP: `mapbench calibrate --quick` writes a profile in
# which every value line carries a comment, and the model accepts it
# (`mapbench sim --profile`; skipped with the reason until sim is built).
mb=$1
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# --allow-busy: a test must not depend on how quiet the CI machine is (a busy run is flagged, not refused)
"$mb" calibrate --quick --allow-busy --dir "$tmp" -o "$tmp/host-q.ini" 2> "$tmp/err"; st=$?
ok $st "calibrate --quick exits 0"
[ $st = 0 ] || sed 's/^/# /' "$tmp/err"
grep -Eq '^ghz = [0-9.]+ # measured' "$tmp/host-q.ini"; ok $? "TSC rate measured"
fp=$("$mb" host --json --dir "$tmp" | python3 -c "import json,sys; print(json.load(sys.stdin)['fingerprint']['hash'])" 2>/dev/null)
grep -Eq "^fingerprint = $fp # measured" "$tmp/host-q.ini"; ok $? "the profile carries this host's fingerprint ($fp)"
grep -Eq '^fault_around_pages = [0-9]+ # measured' "$tmp/host-q.ini"; ok $? "fault_around_pages measured"
grep -Eq '^syscall = [0-9]+ # measured' "$tmp/host-q.ini"; ok $? "syscall cost measured"
grep -Eq '^l1\.4k\.entries = [0-9]+ # measured' "$tmp/host-q.ini"; ok $? "L1 dTLB entries from the chase knee"
ok "$(grep -E '^[a-z0-9_.]+ = ' "$tmp/host-q.ini" | grep -vc ' # ' | grep -qx 0 && echo 0 || echo 1)" "every value carries a comment"
ls "$tmp" | grep -q mapbench-cal; ok $((1 - $?)) "no scratch file left behind"
"$mb" calibrate -o "$tmp/x.ini" --base "$tmp/none.ini" 2>/dev/null; ok "$( [ $? = 2 ] && [ ! -e "$tmp/x.ini" ] && echo 0 || echo 1)" "missing base: exit 2, nothing written"
if "$mb" sim --help 2>&1 | grep -q "not built yet" || "$mb" trace --help 2>&1 | grep -q "not built yet"; then
	n=$((n + 1)); echo "ok $n # SKIP the model's profile parser (mapbench sim) is not built yet"
else
	"$mb" trace gen seq:size=1M,len=4K -o "$tmp/t.mtr" 2>/dev/null
	"$mb" sim --trace "$tmp/t.mtr" --method mmap --cache warm-read:1M --profile "$tmp/host-q.ini" -o "$tmp/r.json" >/dev/null 2> "$tmp/sim.err"; st=$?
	ok $st "the model accepts the calibrated profile"
	[ $st = 0 ] || sed 's/^/# /' "$tmp/sim.err"
fi
echo "1..$n"
[ $fail -eq 0 ]
