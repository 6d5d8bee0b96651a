#!/bin/bash
# fuzz/run-fuzzers.sh — long libFuzzer runs of every target (or the named
# ones), JOBS at a time, each for SECONDS, at the lowest CPU priority (others
# benchmark on this machine). Each target starts from the committed seed
# corpus fuzz/corpus/<target>/ and grows a working corpus in
# BUILD/fuzz-work/<target>/ (not committed; `-merge=1` it into the seed corpus
# by hand when it adds coverage worth keeping). Crashes, leaks, timeouts and
# OOMs are written to fuzz/crashes/<target>/. Prints libFuzzer's final stats
# per target (runs, exec/s, cov, ft) and exits 1 if any target failed.
#
# usage: fuzz/run-fuzzers.sh [-b BUILD] [-w WORKDIR] [-t SECONDS] [-j JOBS] [TARGET...]
#   defaults: BUILD=build-fuzz (set up with CC=clang meson setup build-fuzz -Dfuzz=true),
#             WORKDIR=BUILD/fuzz-work, SECONDS=600, JOBS=2, all targets in BUILD/fuzz/.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
build=$src/build-fuzz
secs=600
jobs=2
work=""
while getopts b:w:t:j: o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	w) work=$OPTARG ;;
	t) secs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n 's/^# usage: //p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -eq 0 ]; then
	set --
	for f in "$build"/fuzz/fuzz_*; do
		[ -f "$f" ] && [ -x "$f" ] && set -- "$@" "$(basename "$f")"
	done
fi
[ $# -gt 0 ] || { echo "run-fuzzers: no targets in $build/fuzz (build with -Dfuzz=true)" >&2; exit 2; }
[ -n "$work" ] || work=$build/fuzz-work
mkdir -p "$work" && work=$(cd "$work" && pwd)

# One target: run, then summarise its log into $work/<t>.stats.
one() {
	t=$1
	exe=$build/fuzz/$t
	mkdir -p "$work/$t" "$src/fuzz/crashes/$t"
	log=$work/$t.log
	start=$(date +%s)
	nice -n 19 "$exe" "$work/$t" "$src/fuzz/corpus/$t" \
		-max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -max_len=65536 \
		-print_final_stats=1 -artifact_prefix="$src/fuzz/crashes/$t/" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(printf '%s\n' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.*corp: \([^ ]*\).*/\1/p')
	status=ok
	[ $rc -eq 0 ] || status="FAILED rc=$rc ($(grep -m1 -E 'ERROR: |SUMMARY: |invariant broken' "$log" | cut -c1-160))"
	printf '%s secs=%s runs=%s exec/s=%s cov=%s ft=%s corp=%s status=%s\n' \
		"$t" $((end - start)) "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status" \
		| tee "$work/$t.stats"
	[ $rc -eq 0 ]
}

fail=0
running=0
for t in "$@"; do
	one "$t" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait
for t in "$@"; do
	grep -q 'status=ok' "$work/$t.stats" 2>/dev/null || fail=1
done
exit $fail
