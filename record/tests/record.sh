#!/bin/sh
# record/tests/record.sh — TAP: mapbench record on a program with known reads
# (exact trace), its report of an unrecorded fd, --min-size (chosen and
# too-small files), a program that never loads
# the interposer, the strace importer on a committed log, a forked child's
# reads (its log starts with the parent's files; the reads the parent reaped
# with it are not reported unseen) and a vfork child's exec (the parent
# keeps recording).
# and --map-order: mapped pages at their first touch, in order, with the
# program's own SIGSEGV handler kept for its own faults.
# usage: record.sh MAPBENCH KNOWN_READS SRCDIR FORKS TOUCHES
# under AddressSanitizer the recorded program is an ASan binary loaded after
# the interposer (LD_PRELOAD comes first): tell ASan that order is intended
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
mb=$1 kr=$2 src=$3 forks=$4 touches=$5
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
echo "1..13"
head -c 65536 /dev/zero > "$t/data.bin"
if "$mb" record -o "$t/k.mtr" --file "$t/data.bin" -- "$kr" "$t/data.bin" > "$t/rep" 2>&1; then
	"$mb" trace dump "$t/k.mtr" | grep -v '^#' > "$t/got"
	printf 'R 0x1000 100\nR 0x0 10\nR 0x2000 4096\nR 0x3000 50\nR 0x3e8 20\n' > "$t/want"
	if cmp -s "$t/got" "$t/want"; then echo "ok 1 - exact trace of known reads"; else echo "not ok 1 - exact trace"; sed 's/^/# /' "$t/got"; fi
else
	echo "not ok 1 - record failed"; sed 's/^/# /' "$t/rep"
fi
if grep -q '^  1 reads through an unrecorded fd' "$t/rep"; then echo "ok 2 - unrecorded fd reported"; else echo "not ok 2 - unrecorded fd report"; sed 's/^/# /' "$t/rep"; fi
if "$mb" trace dump "$t/k.mtr" | grep -q "spec=record:file=$t/data.bin,size=65536,used=read,wall_ns=[0-9]*,cmd=$kr $t/data.bin"; then
	echo "ok 3 - header has file, size, method, command"
else
	echo "not ok 3 - header"; "$mb" trace dump "$t/k.mtr" | head -3 | sed 's/^/# /'
fi
# a program exec'd without the interposer (env -i clears LD_PRELOAD): no trace, exit 2, said why
if "$mb" record -o "$t/n.mtr" --file "$t/data.bin" -- env -i "$kr" "$t/data.bin" > "$t/rep2" 2>&1; then
	echo "not ok 4 - unloaded interposer accepted"
elif [ $? -eq 2 ] && [ ! -e "$t/n.mtr" ] && grep -q "1 exec'd programs without the interposer" "$t/rep2"; then
	echo "ok 4 - program without the interposer reported, nothing written"
else
	echo "not ok 4 - unloaded interposer"; sed 's/^/# /' "$t/rep2"
fi
if "$mb" trace import strace "$src/known_reads.strace" -o "$t/s.mtr" --base 0 > /dev/null 2>&1; then
	"$mb" trace dump "$t/s.mtr" | grep -v '^#' > "$t/sgot"
	printf 'R 0x1000 100\nR 0x0 10\nR 0x2000 4096\nR 0x3000 50\nR 0x0 1000\nR 0x3e8 4096\n' > "$t/swant"
	if cmp -s "$t/sgot" "$t/swant"; then echo "ok 5 - strace import exact"; else echo "not ok 5 - strace import"; sed 's/^/# /' "$t/sgot"; fi
else
	echo "not ok 5 - strace import failed"
fi
# --min-size: the 64 KiB file is recorded at 32K (same trace), not at 1M (exit 2, nothing written)
if "$mb" record -o "$t/m.mtr" --min-size 32K -- "$kr" "$t/data.bin" > "$t/rep3" 2>&1 &&
   "$mb" trace dump "$t/m.mtr" | grep -v '^#' | cmp -s - "$t/want"; then
	echo "ok 6 - --min-size 32K records the 64 KiB file"
else
	echo "not ok 6 - --min-size 32K"; sed 's/^/# /' "$t/rep3"
fi
"$mb" record -o "$t/m2.mtr" --min-size 1M -- "$kr" "$t/data.bin" > "$t/rep4" 2>&1
if [ $? -eq 2 ] && [ ! -e "$t/m2.mtr" ] && grep -q "no recorded access to any file of the minimum size" "$t/rep4" &&
   grep -q '^  5 reads through an unrecorded fd' "$t/rep4"; then
	echo "ok 7 - --min-size 1M: nothing recorded, said so, the 5 reads reported unrecorded"
else
	echo "not ok 7 - --min-size 1M"; sed 's/^/# /' "$t/rep4"
fi
# fork: the parent's pread 100 @0, a thread's 200 @8192, a raw pread (unseen), the child's read
# 300 @4096 through the shared position, the parent's read 10 @4396 after reaping it
if "$mb" record -o "$t/f.mtr" --file "$t/data.bin" -- "$forks" "$t/data.bin" fork > "$t/rep5" 2>&1; [ $? -eq 7 ] &&
   [ "$("$mb" trace dump "$t/f.mtr" | grep -v '^#' | sort | tr '\n' ' ')" = "R 0x0 100 R 0x1000 300 R 0x112c 10 R 0x2000 200 " ] &&
   grep -q '^  1 read syscalls the interposer did not see' "$t/rep5"; then
	echo "ok 8 - forked child's read recorded, only the raw syscall reported unseen"
else
	echo "not ok 8 - fork"; "$mb" trace dump "$t/f.mtr" 2>&1 | sed 's/^/# /'; sed 's/^/# /' "$t/rep5"
fi
if "$mb" record -o "$t/v.mtr" --file "$t/data.bin" -- "$forks" "$t/data.bin" vfork > "$t/rep6" 2>&1 &&
   [ "$("$mb" trace dump "$t/v.mtr" | grep -v '^#' | tr '\n' ' ')" = "R 0x0 100 R 0x2000 50 " ]; then
	echo "ok 9 - the parent records after its vfork child's exec"
else
	echo "not ok 9 - vfork"; "$mb" trace dump "$t/v.mtr" 2>&1 | sed 's/^/# /'; sed 's/^/# /' "$t/rep6"
fi
# --map-order: pages 5 2 9 2 7 5 touched -> first touches 5 2 9 7, in order, 4 KiB each
head -c 65536 /dev/urandom > "$t/map.bin"
if "$mb" record --map-order -o "$t/t.mtr" --file "$t/map.bin" -- "$touches" "$t/map.bin" > "$t/rep7" 2>&1 &&
   [ "$("$mb" trace dump "$t/t.mtr" | grep -v '^#' | tr '\n' ' ')" = "R 0x5000 4096 R 0x2000 4096 R 0x9000 4096 R 0x7000 4096 " ] &&
   grep -q '^  1 mappings of the file whose pages were recorded at their first touch' "$t/rep7"; then
	echo "ok 10 - --map-order: first touches of mapped pages in order"
else
	echo "not ok 10 - --map-order"; "$mb" trace dump "$t/t.mtr" 2>&1 | sed 's/^/# /'; sed 's/^/# /' "$t/rep7"
fi
# the same program without the interposer sums the same bytes: the protection changes nothing it reads
if [ "$(grep '^sum' "$t/rep7")" = "$("$touches" "$t/map.bin")" ]; then
	echo "ok 11 - --map-order: the program reads the same bytes"
else
	echo "not ok 11 - sums differ: $(grep '^sum' "$t/rep7") vs $("$touches" "$t/map.bin")"
fi
# a fault of the program's own (an anonymous PROT_NONE page) reaches its own handler: exit 3
"$mb" record --map-order -o "$t/t2.mtr" --file "$t/map.bin" -- "$touches" "$t/map.bin" fault > "$t/rep8" 2>&1
if [ $? -eq 3 ] && grep -q "program handler" "$t/rep8"; then
	echo "ok 12 - --map-order: the program's SIGSEGV handler gets its own faults"
else
	echo "not ok 12 - program's handler"; sed 's/^/# /' "$t/rep8"
fi
"$mb" record --map-order --mechanism ptrace -o "$t/t3.mtr" --file "$t/map.bin" -- "$touches" "$t/map.bin" > "$t/rep9" 2>&1
if [ $? -eq 2 ] && [ ! -e "$t/t3.mtr" ] && grep -q "map-order needs --mechanism preload" "$t/rep9"; then
	echo "ok 13 - --map-order with ptrace refused with the reason"
else
	echo "not ok 13 - ptrace refusal"; sed 's/^/# /' "$t/rep9"
fi
