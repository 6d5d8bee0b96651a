#!/bin/sh
# fake_mapbench.sh — stands in for mapbench in the runner tests: `trace gen`
# writes a file, `run`/`sim` sleep $FAKE_SLEEP then write a one-case result
# (or fail on --fail-me), compare/plot/report write their output.
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
compare) for a in "$@"; do [ "$p" = "--markdown" ] && echo ok > "$a"; p=$a; done ;;
plot|report) mkdir -p "$(dirname "$out")"; echo ok > "$out" ;;
*) echo "fake mapbench: unknown $cmd" >&2; exit 2 ;;
esac
