#!/bin/sh
# bench/apps/apps_test.sh — TAP: the apps pipeline end to end on small files
# (apps.sh --quick, stock profile so no calibration): every case measured,
# recorded, replayed and predicted. The accuracy target is the benchmark's
# (meson benchmark apps), not asserted here: it depends on the host.
# usage: apps_test.sh MAPBENCH SQLITE_APP SCAN APPS_SH
# under AddressSanitizer the recorded program is an ASan binary loaded after
# the interposer (LD_PRELOAD comes first): tell ASan that order is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
t=$(mktemp -d -p "${MESON_BUILD_ROOT:-.}") || exit 1
trap 'rm -rf "$t"' EXIT
echo "1..2"
if "$4" "$1" "$2" "$3" "$t/out" --quick --profile vm-host > "$t/log" 2>&1; then
	echo "ok 1 - apps.sh --quick ran every case"
else
	echo "not ok 1 - apps.sh --quick failed"; sed 's/^/# /' "$t/log" | tail -20
fi
if python3 - "$t/out/apps.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
names = sorted(r["case"] for r in rows)
assert names == ["scan-warm", "sqlite-full-warm", "sqlite-point-warm", "sqlite-range-warm"], names
for r in rows:
    for k in ("measured_ratio", "predicted_ratio", "replay_ratio", "predicted_ratio_map_order", "replay_ratio_map_order"):
        assert r[k] is not None and r[k] > 0, (r["case"], k, r[k])
PY
then echo "ok 2 - 4 cases with measured, predicted and replayed ratios, also from the recorded mmap order"
else echo "not ok 2 - apps.json incomplete"; fi
