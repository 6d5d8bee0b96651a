#!/bin/sh
# calibrate_quick.sh — TAP: `mapbench calibrate --quick` writes a profile in
# which every value line carries a comment, and the model accepts it
# (`mapbench sim --profile`; skipped with the reason until sim is built).
# The memory-pressure costs (issue 16) are measured where the host allows
# (root and a memory cgroup controller; swap_out/swap_in only with swap
# active and zswap off), else copied from the base with a note saying why;
# which of the two is expected follows from the host, never from the output
# (direct_io, written only when its solution is resolved, may be either).
mb=$1
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# --allow-busy: a test must not depend on how quiet the CI machine is (a busy run is flagged, not refused)
"$mb" calibrate --quick --allow-busy --dir "$tmp" -o "$tmp/host-q.ini" 2> "$tmp/err" &
pid=$!; wait $pid; st=$?
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
ini="$tmp/host-q.ini"
memcg_mounts() { awk '($3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/) || $3 == "cgroup2" { print $2 }' /proc/mounts; }
has_memcg() {
	awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { f = 1 } END { exit !f }' /proc/mounts && return 0
	for d in $(awk '$3 == "cgroup2" { print $2 }' /proc/mounts); do grep -qw memory "$d/cgroup.controllers" 2>/dev/null && return 0; done
	return 1
}
left=$(for d in $(memcg_mounts); do find "$d" -maxdepth 8 -type d -name "mapbench-$pid" 2>/dev/null; done)
ok "$( [ -z "$left" ] && echo 0 || echo 1)" "no memory cgroup of the run left behind${left:+ (left: $left)}"
measured() { grep -Eq "^$1 = [0-9]+ # measured: " "$ini"; }
# copied KEY NOTE-PREFIX REASON-RE: the base value with its "not measured" line, and the header note with the reason
copied() { grep -Eq "^$1 = [0-9]+ # not measured by calibrate: copied from " "$ini" && grep -Eq "^# note: $2 not measured: $3" "$ini"; }
if [ "$(id -u)" = 0 ] && has_memcg; then
	measured reclaim_folio; ok $? "reclaim_folio measured (root, a memory cgroup controller)"
	grep -Eq '^reclaim_folio = .*pgsteal_file .*kpageflags: 0 of [0-9]+ pages' "$ini"; ok $? "reclaim_folio says its folio count and the order-0 check"
else
	copied reclaim_folio reclaim_folio "needs root|no usable memory controller|."; ok $? "reclaim_folio not measurable here: the note says why, the base value is copied"
fi
# direct_io: written only when resolved (its standard error said), else a note says why
{ grep -Eq '^direct_io = [0-9]+ # measured: .*standard error [0-9]+ cycles' "$ini" ||
  copied direct_io direct_io "."; }; ok $? "direct_io measured with its standard error, or a note says why not"
nswap=$(tail -n +2 /proc/swaps 2>/dev/null | wc -l)
if [ "$nswap" = 0 ]; then
	copied swap_out "swap_out, swap_in" "no swap active \(/proc/swaps empty\)" && copied swap_in "swap_out, swap_in" "no swap active"
	ok $? "swap off: swap_out and swap_in not measured, the note says no swap is active, the base values copied"
elif [ "$(id -u)" = 0 ] && has_memcg && [ "$(cat /sys/module/zswap/parameters/enabled 2>/dev/null)" != Y ]; then
	measured swap_out && measured swap_in && grep -Eq '^swap_out = .*pswpout \+[0-9]+' "$ini" && grep -Eq '^swap_in = .*pswpin \+[0-9]+, major faults \+[0-9]+' "$ini"
	r=$?; ok $r "swap active ($nswap area(s)): swap_out and swap_in measured with their pswpout/pswpin counts"
	[ $r = 0 ] || grep '^# note: swap' "$ini" | sed 's/^/# /'
else
	copied swap_out "swap_out, swap_in" "." && copied swap_in "swap_out, swap_in" "."
	ok $? "swap active but not measurable here (not root, no memory cgroup, or zswap): the note says why"
fi
# drift: the reference figures in the header, measured again by calibrate --drift
grep -Eq '^# drift syscall=[0-9.e+]+/[0-9.]+ pread_4k=[0-9.e+]+/[0-9.]+ fault_file=[0-9.e+]+/[0-9.]+ fault_anon=[0-9.e+]+/[0-9.]+ dram=[0-9.e+]+/[0-9.]+ cpu=[0-9.e+]+/[0-9.]+$' "$ini"
ok $? "the profile's header carries the six drift reference figures"
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }
"$mb" calibrate --drift "$ini" -o "$tmp/d1.json" --label end 2> "$tmp/d1.err"; st=$?
ok "$( [ $st = 0 ] && [ "$(js "$tmp/d1.json" "d['label'] + ' ' + str(len([p for p in d['probes'].values() if p['ratio'] > 0]))")" = "end 6" ] && echo 0 || echo 1)" "calibrate --drift measures all six probes again (exit $st)"
js "$tmp/d1.json" "d['verdict'], d['geomean']" | sed 's/^/# drift now: /'
# a reference a hundred times cheaper than this host: drifted, whatever the host's speed
python3 -c "
import re,sys
t=open(sys.argv[1]).read()
t=re.sub(r'=([0-9.e+]+)/', lambda m: '=%g/' % (float(m.group(1)) / 100), t)
open(sys.argv[2],'w').write(t)" "$ini" "$tmp/fast.ini"
"$mb" calibrate --drift "$tmp/fast.ini" -o "$tmp/d2.json" 2> "$tmp/d2.err"
ok "$( [ "$(js "$tmp/d2.json" "d['verdict']")" = drifted ] && grep -q "drifted" "$tmp/d2.err" && echo 0 || echo 1)" "a reference 100x cheaper: verdict drifted, said on stderr"
grep -v '^# drift' "$ini" > "$tmp/nodrift.ini"
"$mb" calibrate --drift "$tmp/nodrift.ini" -o "$tmp/d3.json" 2> /dev/null; st=$?
ok "$( [ $st = 0 ] && [ "$(js "$tmp/d3.json" "d['verdict']")" = unsupported ] && js "$tmp/d3.json" "d['reason']" | grep -q "no drift figures" && echo 0 || echo 1)" "a profile without drift figures: unsupported, with the reason (exit $st)"
sed 's/^# drift syscall=[^ ]*/# drift syscall=abc/' "$ini" > "$tmp/bad.ini"
"$mb" calibrate --drift "$tmp/bad.ini" -o "$tmp/d4.json" 2> "$tmp/d4.err"; st=$?
ok "$( [ $st = 2 ] && grep -q "drift figure 'syscall=abc'" "$tmp/d4.err" && [ ! -e "$tmp/d4.json" ] && echo 0 || echo 1)" "a malformed drift figure: exit 2 naming it, nothing written (exit $st)"
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
