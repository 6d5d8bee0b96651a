#!/bin/sh
# hostprof.sh — TAP: the per-host profile (issue 15). The fingerprint of
# `mapbench host`; `suite run` with the profile "host" calibrating first
# into an empty cache, then using the cached profile; --no-calibrate; a
# cached profile of another fingerprint, flagged busy-host or of an older
# calibrate format; the verdict
# lines and --require-agreement's exit code (4); `sim --profile host`
# carrying the fingerprint; compare's warnings for stock, other-host and
# noisy profiles; a malformed fingerprint refused; the drift checks around
# the native cases and compare's drift warning. Suite runs use the fake
# mapbench (no calibration, no timing): nothing depends on the host's speed.
mb=$1; data=$2; src=$3
here=$(cd "$(dirname "$0")" && pwd); fake=$here/fake_mapbench.sh
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
is() { [ "$1" = "$2" ] && echo 0 || echo 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! command -v python3 > /dev/null; then echo "1..0 # SKIP python3 needed to check JSON"; exit 0; fi
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

"$mb" host --json > "$tmp/h1.json"; "$mb" host --json > "$tmp/h2.json"
hash=$(js "$tmp/h1.json" "d['fingerprint']['hash']")
echo "$hash" | grep -Eq '^[0-9a-f]{16}$'; ok $? "host fingerprint is 16 hex digits ($hash)"
ok "$(is "$(js "$tmp/h2.json" "d['fingerprint']['hash']")" "$hash")" "fingerprint is stable between calls"
js "$tmp/h1.json" "d['fingerprint']['text']" | grep -q "cpu=.* kernel=.* fs=.* thp=.*"; ok $? "fingerprint text names cpu, kernel, fs, thp"

sed 's/^profile = vm-host.*/profile = host/' "$data/tiny.suite" > "$tmp/tinyhost.suite"
cp "$data/tiny.inc" "$tmp/"
export FAKE_HASH=$hash FAKE_CALLOG=$tmp/callog
pc=$tmp/pc; mkdir -p "$pc"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/a" --exe "$fake" --profile-cache "$pc" 2> "$tmp/a.err"; st=$?
ok $st "suite with profile host, empty cache: exit 0"
grep -q "calibrating first" "$tmp/a.err"; ok $? "says it calibrates first"
ok "$(is "$(wc -l < "$tmp/callog")" 1)" "calibrate ran once"
js "$tmp/a/suite.json" "'\n'.join(' '.join(t['argv']) for t in d['tasks'] if t['kind']=='model')" | grep -q -- "--profile $pc/host-$hash.ini"
ok $? "model cases use the cached profile host-$hash.ini"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/b" --exe "$fake" --profile-cache "$pc" 2> "$tmp/b.err"; st=$?
ok $st "second run: exit 0"
grep -q "model profile of this host" "$tmp/b.err" && ! grep -q "calibrating" "$tmp/b.err"; ok $? "second run uses the cache without calibrating"
ok "$(is "$(wc -l < "$tmp/callog")" 1)" "calibrate still ran once"

printf '[profile]\nname = other # test\nfingerprint = 0123456789abcdef # test\n' > "$pc/host-$hash.ini"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/c" --exe "$fake" --profile-cache "$pc" --no-calibrate 2> "$tmp/c.err"; st=$?
ok "$(is $st 2)" "cached profile of another fingerprint, --no-calibrate: exit 2 (got $st)"
grep -q "no calibrated profile for this host" "$tmp/c.err"; ok $? "the message says no profile for this host"
printf '# calibrate format 999\n[profile]\nname = busy # test\nfingerprint = %s # test\nnoisy = busy-host # test\n' "$hash" > "$pc/host-$hash.ini"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/d" --exe "$fake" --profile-cache "$pc" 2> "$tmp/d.err"; st=$?
# calibrated again when the host is quiet now; used as it is (and said) when it is still busy
if grep -q "and the host is still busy (.*): using it" "$tmp/d.err"; then
	ok "$(is "$st $(wc -l < "$tmp/callog")" "0 1")" "a profile flagged busy-host, the host still busy: used, said why, calibrate not run"
	"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/d1" --exe "$fake" --profile-cache "$pc" --recalibrate 2> /dev/null
	ok "$(is "$(wc -l < "$tmp/callog")" 2)" "--recalibrate calibrates it again all the same"
else
	ok "$( [ $st = 0 ] && grep -q "busy host: calibrating again" "$tmp/d.err" && echo 0 || echo 1)" "a profile flagged busy-host is calibrated again (the host is quiet now)"
	ok "$(is "$(wc -l < "$tmp/callog")" 2)" "calibrate ran a second time"
fi
printf '[profile]\nname = old # test\nfingerprint = %s # test\n' "$hash" > "$pc/host-$hash.ini"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/d2" --exe "$fake" --profile-cache "$pc" 2> "$tmp/d2.err"; st=$?
ok "$( [ $st = 0 ] && grep -q "calibrate format 0, this calibrate writes [0-9]* (it measures more keys): calibrating again" "$tmp/d2.err" && echo 0 || echo 1)" "a profile of an older calibrate format is calibrated again"
ok "$(is "$(wc -l < "$tmp/callog")" 3)" "calibrate ran a third time"

grep -Eq "^  time +1 of +4 within tolerance .* pass" "$tmp/b.err"; ok $? "closing lines give each family's verdict"
ok "$(is "$(js "$tmp/b/native.json" "sorted(d['host']['drift'])")" "['end', 'start']")" "native.json's host block carries the drift checks before and after the native cases"
ok "$(is "$(js "$tmp/b/suite.json" "[t['argv'][1:4] for t in d['tasks'] if t['kind']=='native' and 'case' not in t][0]")" "['calibrate', '--drift', '$pc/host-$hash.ini']")" "the drift check measures against the cached profile"
"$mb" suite run "$data/tiny.suite" -o "$tmp/b2" --exe "$fake" 2> /dev/null
ok "$(is "$(js "$tmp/b2/native.json" "'drift' in d['host']")" False)" "a stock profile: no drift check (no reference figures)"
FAKE_VERDICT=FAIL "$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/e" --exe "$fake" --profile-cache "$pc" 2> "$tmp/e.err"; st=$?
ok "$(is $st 0)" "a FAIL verdict without --require-agreement: exit 0 (got $st)"
grep -Eq "^  time .* FAIL" "$tmp/e.err"; ok $? "the FAIL verdict is printed"
FAKE_VERDICT=FAIL "$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/f" --exe "$fake" --profile-cache "$pc" --require-agreement 2> "$tmp/f.err"; st=$?
ok "$(is $st 4)" "--require-agreement and a FAIL verdict: exit 4 (got $st)"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/g" --exe "$fake" --profile-cache "$pc" --require-agreement 2> "$tmp/g.err"; st=$?
ok "$(is $st 0)" "--require-agreement and every family passing: exit 0 (got $st)"
"$mb" suite run "$tmp/tinyhost.suite" -o "$tmp/h" --exe "$fake" --profile-cache "$pc" --require-agreement --native-only 2> "$tmp/h.err"; st=$?
ok "$(is $st 4)" "--require-agreement with nothing compared: exit 4 (got $st)"

# the real model with this host's profile from the cache
pc2=$tmp/pc2; mkdir -p "$pc2"
{ echo "# calibrate format 999"; echo "[profile]"; echo "fingerprint = $hash # test: this host"; echo "noisy = cost.io_request # test"; grep -v '^\[profile\]' "$src/sim/profiles/vm-host.ini"; } > "$pc2/host-$hash.ini"
"$mb" trace gen seq:size=1M,len=4K -o "$tmp/t.mtr" > /dev/null
MAPBENCH_PROFILE_CACHE=$pc2 "$mb" sim --trace "$tmp/t.mtr" --method mmap --cache tmpfs --profile host -o "$tmp/m.json" > /dev/null 2> "$tmp/m.err"
ok $? "sim --profile host finds the cached profile"
ok "$(is "$(js "$tmp/m.json" "d['cases'][0]['profile_fingerprint']")" "$hash")" "the model case carries the profile's fingerprint"
MAPBENCH_PROFILE_CACHE=$tmp/none "$mb" sim --trace "$tmp/t.mtr" --method mmap --cache tmpfs --profile host -o "$tmp/m2.json" > /dev/null 2> "$tmp/m2.err"
ok "$( [ $? != 0 ] && grep -q "calibrate --cache" "$tmp/m2.err" && echo 0 || echo 1)" "sim --profile host with an empty cache fails and says how to make one"
sed "s/^fingerprint = .*/fingerprint = xyz # bad/" "$pc2/host-$hash.ini" > "$tmp/bad.ini"
"$mb" sim --trace "$tmp/t.mtr" --method mmap --cache tmpfs --profile "$tmp/bad.ini" -o "$tmp/m3.json" > /dev/null 2> "$tmp/m3.err"
ok "$( [ $? != 0 ] && grep -q "fingerprint: value 'xyz' is not 16 hex digits" "$tmp/m3.err" && ! [ -e "$tmp/m3.json" ] && echo 0 || echo 1)" "a malformed fingerprint is refused, naming the value"
"$mb" sim --trace "$tmp/t.mtr" --method mmap --cache tmpfs --profile vm-host -o "$tmp/s.json" > /dev/null 2>&1
# native documents with a fingerprint (a synthetic result: no native replay needed)
nat() { printf '{"schema":"mapbench-result","schema_version":1,"tool":{"version":"x","git":"y"},"timestamp":"t","host":{"fingerprint":{"hash":"%s"}},"options":{},"cases":[{"id":"%s","source":"native","metrics":{}}],"partial":false}\n' "$1" "$(js "$tmp/m.json" "d['cases'][0]['id']")" > "$2"; }
nat "$hash" "$tmp/n.json"; nat 00000000deadbeef "$tmp/n2.json"
"$mb" compare "$tmp/n.json" "$tmp/s.json" > "$tmp/c1.txt" 2>&1
grep -q "warning: model profile vm-host is not calibrated on a host" "$tmp/c1.txt"; ok $? "compare warns: a stock profile against native results"
"$mb" compare "$tmp/n.json" "$tmp/m.json" > "$tmp/c2.txt" 2>&1
! grep -q "calibrated on host\|not calibrated" "$tmp/c2.txt"; ok $? "compare: same fingerprint, no host warning"
grep -q "flagged by calibrate: cost.io_request" "$tmp/c2.txt"; ok $? "compare warns about a profile flagged noisy"
"$mb" compare "$tmp/n2.json" "$tmp/m.json" > "$tmp/c3.txt" 2>&1
grep -q "was calibrated on host $hash, the native results come from host 00000000deadbeef" "$tmp/c3.txt"; ok $? "compare warns: profile of another host"
# host drift checks in the native results' host block: their median against the bound
natd() { python3 -c "
import json,sys
d=json.load(open(sys.argv[1])); g=[float(x) for x in sys.argv[2].split(',')]
d['host']['drift']=dict((l,{'label':l,'verdict':'drifted' if abs(v-1)>0.05 else 'steady','geomean':v,'bound':0.05})
  for l,v in zip(['start','after-25','end'],g))
d['host']['drift']['after-50']={'label':'after-50','verdict':'unsupported','reason':'test: no figures','bound':0.05}
json.dump(d,open(sys.argv[3],'w'))" "$tmp/n.json" "$1" "$2"; }
natd 1.02,1.12,1.14 "$tmp/nd.json"; natd 0.97,1.01,1.30 "$tmp/ns.json"
"$mb" compare "$tmp/nd.json" "$tmp/m.json" --json "$tmp/cd.json" > "$tmp/c4.txt" 2>&1
grep -q "warning: the host drifted since the model profile was calibrated: over 3 checks .* a median 1.12x .*(range 1.02-1.14; bound +-5%).* slower" "$tmp/c4.txt"
ok $? "compare warns when the median drift check is beyond the bound, with the range"
ok "$(is "$(js "$tmp/cd.json" "(len(d['drift']['checks']), round(d['drift']['median'], 2))")" "(4, 1.12)")" "compare.json lists the drift checks and their median"
grep -q "warning: host drift not checked (1 of 4 checks): test: no figures" "$tmp/c4.txt"; ok $? "a check that could not be made is a warning with its reason"
"$mb" compare "$tmp/ns.json" "$tmp/m.json" > "$tmp/c5.txt" 2>&1
! grep -q "host drifted" "$tmp/c5.txt" && grep -q "host drift since calibration .*median 1.010x over 3 checks (range 0.970-1.300): steady" "$tmp/c5.txt"
ok $? "a median within the bound: no drift warning, one outlying check does not decide"
echo "1..$n"
[ $fail -eq 0 ]
