#!/bin/sh
# tests/hostile/hostile.sh — TAP: hostile and broken inputs (issue 7) fed to
# the whole mapbench CLI. One check per (input, command). Each check passes
# only when the command
#   - exits non-zero, below 128 (no signal) and not by our 60 s timeout (hang);
#   - prints no sanitizer report (ASan/UBSan/LSan, when built with them);
#   - prints a message matching every given pattern (the value, the limit or
#     the field, the file);
#   - leaves no output file behind, or an existing output file byte-identical,
#     no temp file in the output directory and no scratch data file in the
#     harness's --dir.
# A command that is still a placeholder ("not built yet") or an option that
# does not exist yet makes its checks SKIP with the reason, never pass.
# Hostile files are made here with printf/head/python3 and hostile_mk (binary
# header/block edits that keep the other checksums valid).
# usage: hostile.sh MAPBENCH HOSTILE_MK SRCDIR
abspath() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }
mb=$(abspath "$1")
mk=$(abspath "$2")
src=$(abspath "${3:-$(dirname "$0")}")
[ -x "$mb" ] || { echo "Bail out! mapbench executable $mb not found"; exit 1; }
n=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapbench-hostile.XXXXXX") || exit 1
ro_undo=""
cleanup() {
	[ -n "$ro_undo" ] && eval "$ro_undo" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
cd "$tmp" || exit 1
mkdir -p out scratch

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
diag() { sed 's/^/#   /'; }

# hostile NAME OUT PATTERN... -- CMD...
# OUT: the output path CMD was told to write ("-" for none). PATTERNs are
# extended regexps (case-insensitive) that must all match CMD's stderr.
hostile() {
	name=$1 outf=$2
	shift 2
	pats=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		pats="$pats$1
"
		shift
	done
	shift
	outdir=.
	[ "$outf" != "-" ] && outdir=$(dirname "$outf")
	before=""
	[ "$outf" != "-" ] && [ -e "$outf" ] && before=$(cksum < "$outf")
	ls -A "$outdir" > listing.before 2>/dev/null
	ls -A "$tmp/scratch" > scratch.before 2>/dev/null
	timeout 60 "$@" > cmd.out 2> cmd.err
	rc=$?
	if grep -q "not built yet" cmd.err; then
		skip "$name: $(head -n 1 cmd.err)"
		return
	fi
	why=""
	[ $rc -eq 0 ] && why="$why exit 0 (accepted);"
	[ $rc -eq 124 ] && why="$why timed out after 60 s (hang);"
	[ $rc -ge 128 ] && why="$why killed by signal $((rc - 128));"
	grep -Eq 'AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:' cmd.err &&
		why="$why sanitizer report;"
	printf '%s' "$pats" > pats
	while IFS= read -r p; do
		[ -z "$p" ] && continue
		grep -Eiq -e "$p" cmd.err || why="$why message lacks /$p/;"
	done < pats
	if [ "$outf" != "-" ]; then
		if [ -n "$before" ]; then
			[ "$(cksum < "$outf" 2>/dev/null)" = "$before" ] ||
				why="$why existing $outf truncated or replaced;"
		elif [ -e "$outf" ]; then
			why="$why partial output $outf left behind;"
		fi
		ls -A "$outdir" > listing.after 2>/dev/null
		cmp -s listing.before listing.after || why="$why stray files in $outdir: $(comm -13 listing.before listing.after | tr '\n' ' ');"
	fi
	ls -A "$tmp/scratch" > scratch.after 2>/dev/null
	cmp -s scratch.before scratch.after ||
		why="$why scratch files left in --dir: $(comm -13 scratch.before scratch.after | tr '\n' ' ');"
	if [ -z "$why" ]; then
		ok "$name"
	else
		notok "$name"
		echo "# failed:$why exit $rc; command: $*" | diag
		head -n 5 cmd.err | diag
	fi
	rm -f out/* 2>/dev/null
}

# ---------------------------------------------------------------- traces
if ! "$mb" trace gen seq:size=64K,len=4K -o good.mtr 2> gen.err; then
	if grep -q "not built yet" gen.err; then
		skip "trace inputs: 'mapbench trace gen' not built yet"
		good=""
	else
		notok "trace gen of a valid spec"; diag < gen.err; good=""
	fi
else
	good=good.mtr
fi
: > zero.mtr
printf '# mapbench-trace v1\n# region=file size=1M\nR 0x2000000 64\n' > past.txt
printf '# mapbench-trace v1\n# region=file size=1152921504606846976\nR 0 64\n' > huge.txt
printf '# mapbench-trace v1\n# region=file size=1M\nR 0x1000 0\n' > len0.txt
printf '# mapbench-trace v1\n# region=file size=4T\nR 0 1T\n' > len40.txt
printf '# mapbench-trace v1\n# region=file size=1M records=5\nR 0 64\n' > count.txt
if [ -n "$good" ]; then
	head -c 100 good.mtr > trunc.mtr
	{ printf 'NOTATRCE'; tail -c +9 good.mtr; } > magic.mtr
	"$mk" set good.mtr v2.mtr version 2
	"$mk" corrupt-block good.mtr zblk.mtr
	"$mk" set good.mtr count.mtr count 21
	"$mk" set good.mtr countlow.mtr count 10
	"$mk" set good.mtr past.mtr region 4096
	"$mk" set good.mtr huge.mtr region 1152921504606846976
	"$mk" set good.mtr len0.mtr region 0
fi

# Each hostile trace: file, then the patterns its message must match.
# (A binary record of length 0 or 2^40 cannot be written by our writer; the
# text form covers those, the binary form the header fields.)
traces_list() {
	cat <<'LIST'
zero.mtr|0 bytes|576
trunc.mtr|100|576
magic.mtr|magic|MAPBTRC1
v2.mtr|version 2|version 1|reads 1|supports 1
zblk.mtr|block 0|corrupt|zstd
count.mtr|16 records|21
countlow.mtr|count 10|15|16
count.txt|records=5|1 record
past.mtr|record 1|0x1000|4096
past.txt|0x2000000|1048576|1M|1 MiB
huge.mtr|1152921504606846976|70368744177664|64 TiB|64T
huge.txt|1152921504606846976|70368744177664|64 TiB|64T
len0.mtr|region size|0|1\.\.
len0.txt|length 0|1\.\.1073741824|1 GiB|1G
len40.txt|1T|1099511627776|1073741824|1 GiB|1G
LIST
}
# List format: FILE|P1|P2[|ALT...]: the message must name FILE, match P1,
# and match P2 or one of its alternatives (spellings of the same value).
traces_list > tlist
while IFS='|' read -r f p1 p2 rest; do
	if [ ! -e "$f" ]; then
		skip "trace $f: could not be made (trace gen unavailable)"
		continue
	fi
	p2re=$p2
	[ -n "$rest" ] && p2re="$p2|$rest"
	hostile "trace dump $f" out/dump.txt "$f" "$p1" "$p2re" -- "$mb" trace dump "$f" -o out/dump.txt
	hostile "trace stat $f" - "$f" "$p1" "$p2re" -- "$mb" trace stat "$f"
	hostile "sim --trace $f" out/sim.json "$f" "$p1" "$p2re" -- \
		"$mb" sim --trace "$f" --profile vm-host -o out/sim.json
	hostile "run --trace $f" out/run.json "$f" "$p1" "$p2re" -- \
		"$mb" run --trace "$f" --reps 1 --warmup 0 --dir "$tmp/scratch" -o out/run.json
done < tlist

# --max-mem: a trace whose replay would need more memory than the limit.
if "$mb" run --help 2>/dev/null | grep -q -- '--max-mem'; then
	hostile "run --max-mem below the region" out/run.json "max-mem|memory" "1048576|1M|1 MiB" -- \
		"$mb" run --trace seq:size=64M,len=4K --max-mem 1M --reps 1 --dir "$tmp/scratch" -o out/run.json
else
	skip "run --max-mem: option not built yet"
fi
if "$mb" sim --help 2>/dev/null | grep -q -- '--max-mem'; then
	hostile "sim --max-mem below the model's need" out/sim.json "max-mem|memory" "1048576|1M|1 MiB" -- \
		"$mb" sim --trace seq:size=64G,len=4K --profile vm-host --max-mem 1M -o out/sim.json
else
	skip "sim --max-mem: option not built yet"
fi

# Importers: an address span of 2^60 bytes cannot fit a region (limit
# 64 TiB); --strict must refuse it, name the line, the address and the limit.
printf ' L 0,8\n L 1000000000000000,8\n' > span.lackey
printf '0 0\n0 1000000000000000 8\n' > span.din
for fmt in lackey din; do
	hostile "trace import $fmt --strict: 2^60-byte span" out/imp.mtr "span.$fmt" "line 2" \
		"0x1000000000000000|1152921504606846976" "64 TiB|70368744177664|0x400000000000|limit" -- \
		"$mb" trace import "$fmt" "span.$fmt" --strict -o out/imp.mtr
done

# ---------------------------------------------------------------- result JSON
ref=$src/../../analysis/tests/data/model.json
if [ -f "$ref" ] && command -v python3 >/dev/null; then
	python3 - "$ref" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def variant(name, edit):
    x = json.loads(json.dumps(d)); edit(x); json.dump(x, open(name, 'w'))
m0 = lambda x: x['cases'][0]['metrics'][next(iter(x['cases'][0]['metrics']))]
variant('miss-unit.json', lambda x: m0(x).pop('unit'))
variant('miss-cases.json', lambda x: x.pop('cases'))
variant('miss-status.json', lambda x: m0(x).pop('status'))
variant('type-version.json', lambda x: x.__setitem__('schema_version', "1"))
variant('type-value.json', lambda x: m0(x).__setitem__('value', "12"))
variant('type-cases.json', lambda x: x.__setitem__('cases', {"a": 1}))
variant('schema-v2.json', lambda x: x.__setitem__('schema_version', 2))
variant('schema-v0.json', lambda x: x.__setitem__('schema_version', 0))
variant('schema-name.json', lambda x: x.__setitem__('schema', 'other-tool'))
PY
	printf '{"schema":"mapbench-result","schema_version":1,' > trunc.json
	cat > jlist <<'LIST'
miss-unit.json|unit|missing
miss-cases.json|cases|missing
miss-status.json|status|missing
type-version.json|schema_version|"1"|string|integer
type-value.json|value|"12"|string|number
type-cases.json|cases|array
schema-v2.json|schema_version|found 2|version 2
schema-v0.json|schema_version|found 0|version 0
schema-name.json|schema|other-tool
trunc.json|trunc.json|line|end|parse|EOF|premature
LIST
	while IFS='|' read -r f p1 p2 rest; do
		p2re=$p2
		[ -n "$rest" ] && p2re="$p2|$rest"
		hostile "compare $f" out/cmp.json "$f" "$p1" "$p2re" -- \
			"$mb" compare "$f" "$ref" --json out/cmp.json
		hostile "gate --baseline $f" out/gate.md "$f" "$p1" "$p2re" -- \
			"$mb" gate --baseline "$f" --current "$ref" --markdown out/gate.md --junit out/gate.xml
		hostile "gate --current $f" out/gate.md "$f" "$p1" "$p2re" -- \
			"$mb" gate --baseline "$ref" --current "$f" --markdown out/gate.md --junit out/gate.xml
		hostile "merge $f" out/merged.json "$f" "$p1" "$p2re" -- \
			"$mb" merge -o out/merged.json "$ref" "$f"
	done < jlist
	# gate with a baseline from another schema version must say what to do.
	hostile "gate: baseline of schema version 2 names the versions" out/gate.md \
		"schema-v2.json" "schema_version|schema version" "found 2|version 2" "version 1|supports 1" -- \
		"$mb" gate --baseline schema-v2.json --current "$ref" --markdown out/gate.md --junit out/gate.xml
else
	skip "result JSON inputs: python3 or $ref missing"
fi

# ---------------------------------------------------------------- profiles
prof=$src/../../sim/profiles/vm-host.ini
if [ -f "$prof" ] && [ -n "$good" ]; then
	sed 's/^\(fault_entry *= *\)[0-9][0-9]*/\1-5/' "$prof" > neg.ini
	sed 's/^\(syscall *= *\)[0-9][0-9]*/\199999999999999999999/' "$prof" > absurd.ini
	sed 's/^\(ghz *= *\)[0-9.][0-9.]*/\11e300/' "$prof" > ghz.ini
	sed 's/^\(ghz *= *\)[0-9.][0-9.]*/\10/' "$prof" > ghz0.ini
	sed 's/^\(ghz *= *\)[0-9.][0-9.]*/\1nan/' "$prof" > ghznan.ini
	sed 's/^\(ra_pages *= *\)[0-9][0-9]*/\14294967296/' "$prof" > ra.ini
	cat > plist <<'LIST'
neg.ini|fault_entry|-5
absurd.ini|syscall|99999999999999999999
ghz.ini|ghz|1e300
ghz0.ini|ghz|'0'| 0
ghznan.ini|ghz|nan
ra.ini|ra_pages|4294967296
LIST
	while IFS='|' read -r f p1 p2 rest; do
		p2re=$p2
		[ -n "$rest" ] && p2re="$p2|$rest"
		cmp -s "$f" "$prof" && { skip "profile $f: vm-host.ini has no '$p1 =' line to edit"; continue; }
		hostile "sim --profile $f" out/sim.json "$f" "$p1" "$p2re" "\.\.|limit|range|outside|between" -- \
			"$mb" sim --trace good.mtr --profile "$f" -o out/sim.json
	done < plist
else
	skip "profile inputs: $prof or a valid trace missing"
fi

# ---------------------------------------------------------------- read-only output directory
mkdir ro
rokind=""
if [ "$(id -u)" -ne 0 ]; then
	chmod 0555 ro && rokind='chmod 0555' && ro_undo="chmod 0755 '$tmp/ro'"
elif command -v chattr >/dev/null && chattr +i ro 2>/dev/null; then
	rokind="chattr +i" && ro_undo="chattr -i '$tmp/ro'"
elif mount -t tmpfs -o ro,size=64k none ro 2>/dev/null; then
	rokind="read-only tmpfs" && ro_undo="umount '$tmp/ro'"
fi
if [ -z "$rokind" ] || touch ro/probe 2>/dev/null; then
	rm -f ro/probe
	skip "read-only output directory: cannot make one here (root without chattr or mount)"
else
	echo "# read-only directory by $rokind"
	ropat="permission|not permitted|read-only"
	hostile "trace gen -o read-only dir" ro/x.mtr "ro/x.mtr|ro" "$ropat" -- \
		"$mb" trace gen seq:size=64K,len=4K -o ro/x.mtr
	[ -n "$good" ] && hostile "trace dump -o read-only dir" ro/d.txt "ro/d.txt|ro" "$ropat" -- \
		"$mb" trace dump good.mtr -o ro/d.txt
	[ -n "$good" ] && hostile "sim -o read-only dir" ro/s.json "ro/s.json|ro" "$ropat" -- \
		"$mb" sim --trace good.mtr --profile vm-host -o ro/s.json
	[ -n "$good" ] && hostile "run -o read-only dir" ro/r.json "ro/r.json|ro" "$ropat" -- \
		"$mb" run --trace good.mtr --reps 1 --warmup 0 --dir "$tmp/scratch" -o ro/r.json
	hostile "merge -o read-only dir" ro/m.json "ro/m.json|ro" "$ropat" -- \
		"$mb" merge -o ro/m.json "$ref"
	printf ' L 1000,8\n' > ok.lackey
	hostile "trace import -o read-only dir" ro/i.mtr "ro/i.mtr|ro" "$ropat" -- \
		"$mb" trace import lackey ok.lackey -o ro/i.mtr
	eval "$ro_undo"; ro_undo=""
fi

# ---------------------------------------------------------------- full disk
mkdir full
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=64k none full 2>/dev/null; then
	ro_undo="umount '$tmp/full'"
	hostile "trace gen into a full file system" full/x.mtr "full/x.mtr|full" "no space|ENOSPC|space" -- \
		"$mb" trace gen uniform:size=1G,n=1M,len=64,seed=1 -o full/x.mtr
	eval "$ro_undo"; ro_undo=""
else
	skip "full disk: needs root to mount a small tmpfs"
fi

# ---------------------------------------------------------------- existing output never clobbered
# Each command fails part-way; the file it was told to write holds PRECIOUS
# before and must hold it, unchanged, after.
keep() { printf 'PRECIOUS %s\n' "$1" > "$1"; }
if [ -n "$good" ]; then
	keep out/keep.txt
	hostile "dump of a corrupt trace keeps existing output" out/keep.txt "block 0" -- \
		"$mb" trace dump zblk.mtr -o out/keep.txt
	keep out/keep.json
	hostile "sim of a short trace keeps existing output" out/keep.json "count" -- \
		"$mb" sim --trace count.mtr --profile vm-host -o out/keep.json
	keep out/keep.json
	hostile "run of a corrupt trace keeps existing output" out/keep.json "block 0" -- \
		"$mb" run --trace zblk.mtr --reps 1 --warmup 0 --dir "$tmp/scratch" -o out/keep.json
fi
keep out/keep.mtr
printf ' L 1000,8\n L zz,8\n S 1008,8\n' > bad.lackey
hostile "import --strict with a malformed line keeps existing output" out/keep.mtr "line 2|malformed" -- \
	"$mb" trace import lackey bad.lackey --strict -o out/keep.mtr
keep out/keep.mtr
hostile "gen with a bad spec keeps existing output" out/keep.mtr "size|len" -- \
	"$mb" trace gen seq:size=4K,len=8K -o out/keep.mtr
if [ -f miss-unit.json ]; then
	keep out/keep.json
	hostile "merge of a bad result keeps existing output" out/keep.json "unit" -- \
		"$mb" merge -o out/keep.json "$ref" miss-unit.json
	keep out/keep.json
	hostile "compare of a bad result keeps existing output" out/keep.json "unit" -- \
		"$mb" compare miss-unit.json "$ref" --json out/keep.json
fi

echo "1..$n"
[ $fail -eq 0 ]
