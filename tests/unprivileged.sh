#!/bin/sh
# tests/unprivileged.sh — TAP, integration: `mapbench run` works without
# privileges (as user nobody): it succeeds, and what needs privileges is
# reported not-permitted with a reason, never as a value.
mb=$1
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs root (to drop to nobody), setpriv and python3"
	exit 0
fi
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
chmod 755 "$d"; mkdir "$d/w"; chmod 777 "$d/w"
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
"$mb" trace gen seq:size=4M,len=4K -o "$d/t.mtr" && chmod 644 "$d/t.mtr"
setpriv --reuid=65534 --regid=65534 --clear-groups "$mb" run --trace "$d/t.mtr" --method read --reps 2 \
	--dir "$d/w/scratch" -o "$d/w/r.json" >"$d/log" 2>&1
ok $? "run as nobody succeeds"
python3 - "$d/w/r.json" "$(cat /proc/sys/kernel/perf_event_paranoid)" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["cases"][0]["metrics"]
paranoid = int(sys.argv[2])
def show(ok, what):
    print(("ok" if ok else "not ok") + " - " + what)
sc = m.get("syscalls", {})
show(sc.get("status") == "not-permitted" and "value" not in sc and sc.get("reason"),
     "syscalls (tracepoint) not-permitted with a reason: %s" % sc.get("reason"))
ft = m.get("faults.total", {})
if paranoid >= 2:
    show(ft.get("status") in ("not-permitted", "ok") and (ft.get("status") == "ok" or ("value" not in ft and ft.get("reason"))),
         "faults.total ok or not-permitted with a reason at perf_event_paranoid %d: %s" % (paranoid, ft.get("status")))
else:
    show(ft.get("status") == "ok", "faults.total measured at perf_event_paranoid %d" % paranoid)
ns = m.get("ns", {})
show(ns.get("status") == "ok" and ns.get("value", 0) > 0, "time is measured")
pa = m.get("cache.phys_ascending", {})
show(pa.get("status") == "unsupported" and "value" not in pa and "CAP_SYS_ADMIN" in pa.get("reason", ""),
     "cache.phys_ascending (pagemap frames) unsupported with the reason: %s" % pa.get("reason"))
ev = m.get("cache.evicted", {})
show(ev.get("status") == "not-permitted" and "value" not in ev and ev.get("reason"),
     "cache.evicted (CPU-wide tracepoint) not-permitted with a reason: %s" % ev.get("reason"))
PY
n=$((n + 5))
echo "1..$n"
[ $fail -eq 0 ]
