#!/bin/sh
# fake_mapbench.sh — stands in for mapbench in the runner tests: `trace gen`
# writes a file, `run`/`sim` sleep $FAKE_SLEEP then write a one-case result
# (or fail on --fail-me), compare/plot/report write their output; compare's
# --json gets every family with verdict $FAKE_VERDICT (default pass);
# `calibrate --profile-cache DIR` appends a line to $FAKE_CALLOG and writes
# DIR/host-$FAKE_HASH.ini with that fingerprint; `calibrate --drift P -o F
# --label L` writes a drift check with verdict $FAKE_DRIFT (default steady).
cmd=$1
out=""; prev=""
for a in "$@"; do [ "$prev" = "-o" ] && out=$a; prev=$a; done
case $cmd in
trace) printf 'trace\n' > "$out" ;;
run|sim)
	sleep "${FAKE_SLEEP:-0}"
	case "$*" in *--fail-me*) echo "mapbench: run: injected failure" >&2; exit 1 ;; esac
	printf '{"schema":"mapbench-result","schema_version":1,"tool":{"version":"x","git":"y"},"timestamp":"t","host":{},"options":{},"cases":[{"id":"%s","source":"%s","metrics":{}}],"partial":false}\n' \
		"$out" "$([ "$cmd" = run ] && echo native || echo model)" > "$out" ;;
compare) for a in "$@"; do
		[ "$p" = "--markdown" ] && echo ok > "$a"
		[ "$p" = "--json" ] && printf '{"families":{"faults":{"verdict":"pass","compared":3,"within":3,"share":1.0,"median_abs_err":0.0,"tolerance":{"min_share":0.95,"max_median_err":0}},"time":{"verdict":"%s","compared":4,"within":1,"share":0.25,"median_abs_err":0.5,"tolerance":{"min_share":0,"max_median_err":0.2}}},"warnings":[]}\n' "${FAKE_VERDICT:-pass}" > "$a"
		p=$a; done ;;
calibrate)
	case "$*" in *--drift*)
		for a in "$@"; do [ "$p" = "--label" ] && label=$a; p=$a; done
		printf '{"schema":"mapbench-drift","schema_version":1,"label":"%s","verdict":"%s","geomean":1.5,"bound":0.05,"probes":{}}\n' \
			"$label" "${FAKE_DRIFT:-steady}" > "$out"
		exit 0 ;;
	esac
	for a in "$@"; do [ "$p" = "--profile-cache" ] && dir=$a; p=$a; done
	echo "calibrate $*" >> "${FAKE_CALLOG:-/dev/null}"
	printf '# calibrate format 999\n[profile]\nname = fake # test\nfingerprint = %s # test\n' "$FAKE_HASH" > "$dir/host-$FAKE_HASH.ini" ;;
plot|report) mkdir -p "$(dirname "$out")"; echo ok > "$out" ;;
*) echo "fake mapbench: unknown $cmd" >&2; exit 2 ;;
esac
