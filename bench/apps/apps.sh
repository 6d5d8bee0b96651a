#!/usr/bin/env bash
# bench/apps/apps.sh — the apps proof of `mapbench record` + `mapbench whatif`
# (issue 17) on two real programs with their own mmap switch:
#   SQLite (bench/apps/sqlite_app.c, Debian's libsqlite3): a deterministic
#     database; point lookups, range scans, a full scan; PRAGMA mmap_size=0
#     (SQLite's preads) against mmap_size=2G (SQLite's own mmap path);
#   scan (bench/apps/scan.c): a newline count with fread against mmap.
# For each workload and cache state (warm: the file read just before; cold:
# its page cache dropped with fadvise just before, verified with fincore where
# present) it measures the program both ways (REPS alternating runs, medians),
# records the non-mmap run with `mapbench record`, runs `mapbench whatif` on
# the trace (read|fread and mmap, native and model), and predicts the
# program's mmap/non-mmap time ratio as
#     (T_prog - T_model(used) + T_model(mmap)) / T_prog
# i.e. the program's own time with the model's access-cost difference swapped
# in (the replay has no SQLite CPU work: the trace holds only the accesses).
# It also records the program's mmap run with `record --map-order` (the pages
# of its own mmap path at their first touch, in order) and replays that with
# mmap: the last two columns put that in place of the recorded read trace's
# mmap replay (a check of the prediction's input, not a second prediction:
# it needs the mmap run it predicts).
# Prints a table and writes OUT/apps.md and OUT/apps.json.
# usage: apps.sh MAPBENCH SQLITE_APP SCAN OUT [--quick] [--profile P]
#   --quick: 16 MiB files, 2 reps, warm only (the test); default 256 MiB, 5 reps
set -uo pipefail
mb=$1 sq=$2 scan=$3 out=$4; shift 4
mib=256 reps=5 caches="warm cold" profile=host npoint=20000 nrange=200
while [ $# -gt 0 ]; do
	case $1 in
	--quick) mib=16 reps=2 caches=warm npoint=2000 nrange=20 ;;
	--profile) profile=$2; shift ;;
	*) echo "apps.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
mkdir -p "$out" || exit 2
scratch=$out/data   # the programs' files: put OUT on the filesystem you care about
mkdir -p "$scratch" || exit 2
db=$scratch/db.sqlite txt=$scratch/scan.bin
"$sq" build "$db" "$mib" > /dev/null || { echo "apps.sh: building the database failed" >&2; exit 1; }
head -c $((mib * 1048576)) /dev/urandom > "$txt"

set_cache() { # FILE warm|cold
	if [ "$2" = warm ]; then cat "$1" > /dev/null
	else dd if="$1" iflag=nocache count=0 status=none
		if command -v fincore > /dev/null; then
			local res; res=$(fincore -n -b -o RES "$1" | tr -d ' ')
			[ "${res:-0}" -le $((4 * 1048576)) ] || echo "apps.sh: warning: $1 still has $res bytes cached after the drop" >&2
		fi
	fi
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ns_of() { sed -n 's/^ns=\([0-9]*\).*/\1/p'; }

rows=$out/rows.tsv
: > "$rows"
run_case() { # NAME FILE USED CACHE CMD_BASE... (the command takes the switch last: 0|2G, fread|mmap)
	local name=$1 file=$2 used=$3 cache=$4; shift 4
	local sw_used sw_mmap
	if [ "$used" = read ]; then sw_used=0 sw_mmap=2147483648; else sw_used=fread sw_mmap=mmap; fi
	local tu=() tm=()
	for ((i = 0; i < reps; i++)); do
		set_cache "$file" "$cache"; tu+=("$("$@" "$sw_used" | ns_of)")
		set_cache "$file" "$cache"; tm+=("$("$@" "$sw_mmap" | ns_of)")
	done
	local mu mm
	mu=$(printf '%s\n' "${tu[@]}" | median); mm=$(printf '%s\n' "${tm[@]}" | median)
	set_cache "$file" "$cache"
	"$mb" record -o "$out/$name.mtr" --file "$file" -- "$@" "$sw_used" > "$out/$name.record.log" 2>&1 ||
		{ echo "apps.sh: record $name failed (see $out/$name.record.log)" >&2; return 1; }
	local wc=cold; [ "$cache" = warm ] && wc=warm-read
	"$mb" whatif "$out/$name.mtr" -o "$out/$name.whatif" --methods "mmap;$used" --cache "$wc" \
		--reps "$reps" --profile "$profile" -q > "$out/$name.whatif.log" 2>&1 ||
		{ echo "apps.sh: whatif $name failed (see $out/$name.whatif.log)" >&2; return 1; }
	# the program's own mmap path, recorded in touch order (record --map-order), replayed with mmap
	set_cache "$file" "$cache"
	local mw=none
	if "$mb" record --map-order -o "$out/$name.map.mtr" --file "$file" -- "$@" "$sw_mmap" > "$out/$name.map.record.log" 2>&1 &&
	   "$mb" whatif "$out/$name.map.mtr" -o "$out/$name.map.whatif" --methods mmap --cache "$wc" \
		--reps "$reps" --profile "$profile" -q > "$out/$name.map.whatif.log" 2>&1; then
		mw=$out/$name.map.whatif/whatif.json
	else
		echo "apps.sh: recording or replaying $name's mmap path failed (see $out/$name.map.*.log)" >&2
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$cache" "$used" "$mu" "$mm" "$out/$name.whatif/whatif.json" "$mw" >> "$rows"
	echo "apps.sh: $name $cache done" >&2
}

fail=0
for cache in $caches; do
	for wl in point range full; do
		n=$npoint; [ $wl = range ] && n=$nrange
		run_case "sqlite-$wl-$cache" "$db" read "$cache" "$sq" run "$db" "$wl" "$n" || fail=1
	done
	run_case "scan-$cache" "$txt" fread "$cache" "$scan" "$txt" || fail=1
done
python3 - "$rows" "$out" <<'PY'
import json, sys
rows, out = sys.argv[1], sys.argv[2]
res = []
for line in open(rows):
    name, cache, used, tu, tm, wj, mwj = line.rstrip("\n").split("\t")
    tu, tm = float(tu), float(tm)
    w = json.load(open(wj))
    get = lambda w, fam, key: next((r[key] for r in w["rows"] if r["method"].split(",")[0] == fam), None)
    mu, mm = get(w, used, "model_ns"), get(w, "mmap", "model_ns")
    nu, nm = get(w, used, "native_ns"), get(w, "mmap", "native_ns")
    mw = json.load(open(mwj)) if mwj != "none" else None
    mo = get(mw, "mmap", "model_ns") if mw else None
    no = get(mw, "mmap", "native_ns") if mw else None
    meas = tm / tu
    pred = (tu - mu + mm) / tu if mu is not None and mm is not None else None
    repl = (tu - nu + nm) / tu if nu is not None and nm is not None else None
    # the same with the program's mmap path (its first touches, in order) for mmap's side
    pred_o = (tu - mu + mo) / tu if mu is not None and mo is not None else None
    repl_o = (tu - nu + no) / tu if nu is not None and no is not None else None
    ok = pred is not None and abs(pred / meas - 1) <= 0.25
    direction = pred is not None and ((pred < 1) == (meas < 1) or abs(meas - 1) < 0.03)
    res.append(dict(case=name, cache=cache, used=used, prog_used_ns=tu, prog_mmap_ns=tm,
                    measured_ratio=meas, predicted_ratio=pred, replay_ratio=repl,
                    model_used_ns=mu, model_mmap_ns=mm, native_used_ns=nu, native_mmap_ns=nm,
                    predicted_ratio_map_order=pred_o, replay_ratio_map_order=repl_o,
                    model_mmap_order_ns=mo, native_mmap_order_ns=no,
                    within_25=ok, direction_right=direction))
with open(out + "/apps.md", "w") as f:
    f.write("| case | cache | program used | program ms (used) | program ms (mmap) | measured mmap/used "
            "| predicted (model) | predicted (native replay) | within 25% | direction "
            "| model, program's mmap order | native replay, program's mmap order |\n"
            "|---|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|\n")
    fmt = lambda v: "n/a" if v is None else "%.3f" % v
    for r in res:
        f.write("| %s | %s | %s | %.2f | %.2f | %.3f | %s | %s | %s | %s | %s | %s |\n" % (
            r["case"], r["cache"], r["used"], r["prog_used_ns"] / 1e6, r["prog_mmap_ns"] / 1e6,
            r["measured_ratio"], fmt(r["predicted_ratio"]), fmt(r["replay_ratio"]),
            "yes" if r["within_25"] else "NO", "right" if r["direction_right"] else "WRONG",
            fmt(r["predicted_ratio_map_order"]), fmt(r["replay_ratio_map_order"])))
    n = len(res); k = sum(r["within_25"] for r in res); d = sum(r["direction_right"] for r in res)
    f.write("\n%d of %d predictions within 25%% of the program's measured ratio; direction right in %d of %d.\n" % (k, n, d, n))
json.dump(res, open(out + "/apps.json", "w"), indent=1)
print(open(out + "/apps.md").read(), end="")
PY
exit $fail
