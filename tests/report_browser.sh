#!/bin/sh
# tests/report_browser.sh — TAP, integration: the default suite's report,
# rendered from the committed results (results/model-default.json and the
# native reference results/native-reference-vm.json), opened in headless
# Chromium. `mapbench plot` writes the figures into a temp dir, `mapbench
# report --html` embeds them; a copy of the page gets an inline script that,
# after load, draws every <img> on a canvas and writes its natural size and
# the share of pixels that differ from its most common colour into the DOM
# (read back with --dump-dom). Fails when an image does not load, is smaller
# than 800 px wide or is (nearly) one colour, or when the screenshot of the
# page's top is missing or tiny. SKIPs with the reason without chromium.
# Usage: report_browser.sh SOURCE_ROOT MAPBENCH
src=$1 mb=$2
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chrome" ] || ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP needs chromium (Debian package 'chromium', ci/setup installs it) and python3"
	exit 0
fi
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT
n=0; fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }
res="$src/results/model-default.json $src/results/native-reference-vm.json"

# shellcheck disable=SC2086
"$mb" plot $res -o "$d/plots" >"$d/plot.log" 2>&1; ok $? "plot of the committed default-suite results: $(tail -n 1 "$d/plot.log")"
# shellcheck disable=SC2086
"$mb" report $res --plots "$d/plots" -o "$d/report.md" --html "$d/report.html" >/dev/null; ok $? "report --html"
grep -q '^## The answer' "$d/report.md" && [ "$(grep -n '^## ' "$d/report.md" | head -n 1 | cut -d: -f2-)" = "## The answer" ]
ok $? "the report starts with the answer"

# The probe: after load, every image's size and how many pixels are not its background.
python3 - "$d/report.html" "$d/probe.html" <<'PY'
import sys
s = open(sys.argv[1]).read()
probe = """<script>
window.addEventListener('load', function () {
  var out = [];
  document.querySelectorAll('img').forEach(function (im, i) {
    var w = im.naturalWidth, h = im.naturalHeight, frac = -1;
    if (w > 0 && h > 0) {
      var c = document.createElement('canvas'); c.width = w; c.height = h;
      var g = c.getContext('2d'); g.drawImage(im, 0, 0);
      var px = g.getImageData(0, 0, w, h).data, count = {}, best = 0, tot = 0;
      for (var k = 0; k < px.length; k += 4 * 7) {
        var key = px[k] + ',' + px[k + 1] + ',' + px[k + 2];
        count[key] = (count[key] || 0) + 1; tot++;
        if (count[key] > best) best = count[key];
      }
      frac = 1 - best / tot;
    }
    out.push('IMG ' + i + ' w=' + w + ' h=' + h + ' ink=' + frac.toFixed(4) + ' alt=' + im.alt);
  });
  var pre = document.createElement('pre'); pre.id = 'probe';
  pre.textContent = 'PROBE ' + out.length + '\\n' + out.join('\\n') + '\\nEND';
  document.body.appendChild(pre);
});
</script>"""
open(sys.argv[2], "w").write(s.replace("</body>", probe + "</body>"))
PY
nimg=$(grep -o '<img ' "$d/report.html" | wc -l)
[ "$nimg" -ge 5 ]; ok $? "the report embeds the figures ($nimg <img>)"
# --no-sandbox: Chromium refuses to run as root otherwise; its own profile and HOME in the temp dir
mkdir -p "$d/home"
run_chrome() {
	HOME="$d/home" timeout 60 "$chrome" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$d/home/profile" --no-first-run --hide-scrollbars --window-size=1600,2400 \
		--virtual-time-budget=10000 "$@" 2>>"$d/chrome.log"
}
run_chrome --dump-dom "file://$d/probe.html" >"$d/dom.html"
ok $? "chromium --dump-dom"
grep -q 'PROBE [0-9]' "$d/dom.html"; ok $? "the probe script ran after load"
cat >"$d/check.py" <<'PY'
import re, sys
dom = open(sys.argv[1]).read()
rows = re.findall(r"^IMG (\d+) w=(\d+) h=(\d+) ink=(-?[0-9.]+) alt=(.*)$", dom, re.M)
bad = 0
if len(rows) != int(sys.argv[2]):
    print("probe saw %d images, the page has %s" % (len(rows), sys.argv[2])); bad += 1
for i, w, h, ink, alt in rows:
    w, h, ink = int(w), int(h), float(ink)
    why = []
    if w == 0: why.append("did not load")
    elif w < 800: why.append("%d px wide < 800" % w)
    if w and ink < 0.005: why.append("%.2f%% of the pixels differ from the background (< 0.5%%: empty)" % (100 * ink))
    print("%s image %s (%s): %dx%d, %.1f%% ink%s" % ("BAD" if why else "ok", i, alt, w, h, 100 * ink, ": " + "; ".join(why) if why else ""))
    bad += bool(why)
sys.exit(1 if bad else 0)
PY
python3 "$d/check.py" "$d/dom.html" "$nimg" >"$d/check.txt"
ok $? "every image loads, is >= 800 px wide and not empty ($(grep -c '^ok' "$d/check.txt") ok, $(grep -c '^BAD' "$d/check.txt") bad)"
sed 's/^/# /' "$d/check.txt" | grep -v '^# ok' || true
# Negative control: the same probe and check must reject a broken and a blank (one-colour, 1600 px) image.
python3 - "$d/probe.html" "$d/neg.html" <<'PY'
import base64, re, struct, sys, zlib
def png(w, h):
    def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b) & 0xffffffff)
    raw = b"".join(b"\0" + b"\xff" * (3 * w) for _ in range(h))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
s = open(sys.argv[1]).read()
body = '<p><img alt="broken" src="data:image/png;base64,AAAA"></p><p><img alt="blank" src="data:image/png;base64,%s"></p>' % base64.b64encode(png(1600, 400)).decode()
s = re.sub(r"<body>.*?<script>", lambda m: "<body>" + body + "<script>", s, count=1, flags=re.S)
open(sys.argv[2], "w").write(s)
PY
run_chrome --dump-dom "file://$d/neg.html" >"$d/negdom.html"
python3 "$d/check.py" "$d/negdom.html" 2 >"$d/negcheck.txt"
[ $? -ne 0 ] && [ "$(grep -c '^BAD' "$d/negcheck.txt")" = 2 ]
ok $? "negative control: a broken and a blank image are both rejected ($(grep -c '^BAD' "$d/negcheck.txt") of 2)"
run_chrome --screenshot="$d/shot.png" "file://$d/report.html" >/dev/null
sz=$(stat -c %s "$d/shot.png" 2>/dev/null || echo 0)
[ "$sz" -gt 20000 ]; ok $? "screenshot of the page's top, 1600 px wide: $sz bytes (> 20 kB: not blank)"
[ -n "${MB_KEEP_SHOT:-}" ] && cp "$d/shot.png" "$MB_KEEP_SHOT"
echo "1..$n"
[ $fail -eq 0 ]
