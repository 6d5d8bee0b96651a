#!/bin/sh
# record/tests/overhead.sh — benchmark (not a test): wall time of a program
# doing N 4 KiB preads of a warm 64 MiB file, bare and under `mapbench
# record`, 5 interleaved rounds; prints the median of each and their ratio
# (target: recorded/bare <= 2).
# usage: overhead.sh MAPBENCH PREADS [N]
mb=$1 pr=$2 n=${3:-1048576}
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
head -c 67108864 /dev/urandom > "$t/f"
"$pr" "$t/f" "$n" > /dev/null
ns() { date +%s%N; }
for r in 1 2 3 4 5; do
	a=$(ns); "$pr" "$t/f" "$n" > /dev/null; b=$(ns)
	"$mb" record -o "$t/x.mtr" --file "$t/f" -- "$pr" "$t/f" "$n" > /dev/null; c=$(ns)
	echo "$((b - a)) $((c - b))"
done > "$t/times"
bare=$(cut -d' ' -f1 "$t/times" | sort -n | sed -n 3p)
rec=$(cut -d' ' -f2 "$t/times" | sort -n | sed -n 3p)
echo "preads: $n; bare median $((bare / 1000000)) ms; recorded median $((rec / 1000000)) ms (program + merge into the trace)"
awk -v a="$bare" -v b="$rec" 'BEGIN { printf "record overhead: %.2fx (target <= 2x)\n", b / a }'
