#!/bin/sh
# tests/pipeline.sh — TAP, integration: the whole data flow of DESIGN.md on
# one small deterministic case: trace gen -> run (native) -> sim (model) ->
# compare (faults must agree: tmpfs is exact) -> merge -> report -> gate of
# the model result against itself (pass) and against an altered copy (fail).
mb=$1
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }

"$mb" trace gen seq:size=16M,len=4K -o "$d/t.mtr"; ok $? "trace gen"
"$mb" run --trace "$d/t.mtr" --method mmap --cache tmpfs --reps 3 --dir "$d/scratch" -o "$d/native.json" >"$d/run.log" 2>&1
ok $? "native run (tmpfs, 3 reps): $(tail -n 1 "$d/run.log")"
"$mb" sim --trace "$d/t.mtr" --method mmap --cache tmpfs --profile vm-host -o "$d/model.json" >/dev/null
ok $? "model run"
"$mb" compare "$d/native.json" "$d/model.json" --fail-beyond-tolerance faults >"$d/cmp.txt" 2>&1
ok $? "faults agree (tmpfs: exact)"
grep -q "1 pair(s) joined" "$d/cmp.txt"; ok $? "native and model share the case id"
"$mb" merge -o "$d/all.json" "$d/native.json" "$d/model.json" >/dev/null; ok $? "merge"
"$mb" report "$d/all.json" -o "$d/report.md" >/dev/null; ok $? "report"
grep -q "mmap" "$d/report.md"; ok $? "report names the method"
# the HTML report, in another directory than the markdown, embeds every figure
"$mb" plot "$d/native.json" "$d/model.json" -o "$d/plots" >/dev/null 2>&1; ok $? "plot"
mkdir -p "$d/elsewhere"
"$mb" report "$d/all.json" -o "$d/report.md" --html "$d/elsewhere/r.html" --plots "$d/plots" >/dev/null; ok $? "report --html"
python3 - "$d/elsewhere/r.html" "$d/plots" <<'PY'
import base64, glob, re, sys
s = open(sys.argv[1]).read()
uris = re.findall(r'<img alt="[^"]*" src="([^"]*)"', s)
pngs = {open(f, "rb").read() for f in glob.glob(sys.argv[2] + "/*.png")}
assert uris, "no <img> in the report"
for u in uris:
    assert u.startswith("data:image/png;base64,"), "not embedded: " + u[:60]
    assert base64.b64decode(u.split(",", 1)[1]) in pngs, "embedded image is none of the PNGs"
PY
ok $? "HTML embeds every figure as a data: URI of its PNG (self-contained)"
"$mb" gate --baseline "$d/model.json" --current "$d/model.json" >/dev/null; ok $? "gate passes identical model results"
python3 - "$d/model.json" "$d/model2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["cases"][0]["metrics"]["faults.total"]
m["value"] = m["value"] * 1.10
json.dump(r, open(sys.argv[2], "w"))
PY
"$mb" gate --baseline "$d/model.json" --current "$d/model2.json" >/dev/null 2>&1; rc=$?
[ $rc -eq 1 ]; ok $? "gate fails a 10% change in a model metric (exit $rc)"
echo "1..$n"
[ $fail -eq 0 ]
