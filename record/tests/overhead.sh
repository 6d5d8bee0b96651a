#!/bin/sh
# record/tests/overhead.sh — benchmark (not a test): wall time of a program
# doing N 4 KiB preads of a warm 64 MiB file, bare, under `mapbench record`
# (the interposer) and under `mapbench record --mechanism ptrace`, in
# interleaved rounds (5; ptrace in the first 3 of them: each such run takes
# tens of seconds; also pinned with taskset -c 0 when there is taskset);
# prints the median of each and the ratios against bare (target for the
# interposer: <= 2x; ptrace: stated, no target).
# usage: overhead.sh MAPBENCH PREADS [N] [ROUNDS] [PTRACE_ROUNDS]
mb=$1 pr=$2 n=${3:-1048576} rounds=${4:-5} prounds=${5:-3}
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
head -c 67108864 /dev/urandom > "$t/f"
"$pr" "$t/f" "$n" > /dev/null
ns() { date +%s%N; }
r=1
while [ $r -le "$rounds" ]; do
	a=$(ns); "$pr" "$t/f" "$n" > /dev/null; b=$(ns)
	"$mb" record -o "$t/x.mtr" --file "$t/f" -- "$pr" "$t/f" "$n" > /dev/null; c=$(ns)
	echo "$((b - a)) $((c - b))" >> "$t/times"
	if [ $r -le "$prounds" ]; then
		"$mb" record --mechanism ptrace -o "$t/y.mtr" --file "$t/f" -- "$pr" "$t/f" "$n" > /dev/null; d=$(ns)
		echo "$((d - c))" >> "$t/ptimes"
		if command -v taskset > /dev/null; then # tracer and program on one CPU: no cross-CPU wake-ups
			taskset -c 0 "$mb" record --mechanism ptrace -o "$t/y.mtr" --file "$t/f" -- "$pr" "$t/f" "$n" > /dev/null
			e=$(ns); echo "$((e - d))" >> "$t/pintimes"
		fi
		# the records' line (count and hash; the spec line holds each run's wall time)
		[ "$("$mb" trace dump "$t/x.mtr" | sed -n 2p)" = "$("$mb" trace dump "$t/y.mtr" | sed -n 2p)" ] ||
			echo "note: the ptrace trace's records differ from the interposer's"
	fi
	r=$((r + 1))
done
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
bare=$(cut -d' ' -f1 "$t/times" | med)
rec=$(cut -d' ' -f2 "$t/times" | med)
ptr=$(med < "$t/ptimes")
pin=$( [ -s "$t/pintimes" ] && med < "$t/pintimes")
echo "preads: $n; bare median $((bare / 1000000)) ms; recorded (preload) median $((rec / 1000000)) ms; recorded (ptrace) median $((ptr / 1000000)) ms (program + merge into the trace; $rounds rounds, ptrace $prounds)"
awk -v a="$bare" -v b="$rec" 'BEGIN { printf "record overhead (preload): %.2fx (target <= 2x)\n", b / a }'
awk -v a="$bare" -v b="$ptr" 'BEGIN { printf "record overhead (ptrace): %.2fx\n", b / a }'
[ -n "$pin" ] && awk -v a="$bare" -v b="$pin" 'BEGIN { printf "record overhead (ptrace, taskset -c 0: tracer and program on one CPU): %.2fx\n", b / a }'
