#!/bin/sh
# record/tests/ptrace.sh — TAP: `mapbench record --mechanism ptrace` on
# programs with known reads: the exact trace of known_reads (its syscalls:
# stdio's fread shows as the read syscalls that filled the buffer), the same
# from a statically linked build (which the interposer misses, and says so),
# reads from a thread, a raw syscall and a forked child sharing the position
# (exact trace; the interposer misses the raw one), the program's exit
# status propagated, mmap'ed pages from pagemap, and the error when ptrace
# is not permitted (a recorder that is itself traced: the outer one's child
# cannot PTRACE_TRACEME).
# usage: ptrace.sh MAPBENCH KNOWN_READS FORKS STATIC_KNOWN_READS|none:REASON
# LeakSanitizer cannot run under ptrace (it ptraces the threads itself); the
# interposer comes before an ASan runtime in LD_PRELOAD on purpose
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0"
mb=$1 kr=$2 fk=$3 st=$4
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT
echo "1..8"
head -c 65536 /dev/zero > "$t/data.bin"
dump() { "$mb" trace dump "$1" | grep -v '^#'; }
printf 'R 0x1000 100\nR 0x0 10\nR 0x2000 4096\nR 0x3000 50\nR 0x0 1000\nR 0x3e8 4096\n' > "$t/want"

if "$mb" record --mechanism ptrace -o "$t/k.mtr" --file "$t/data.bin" -- "$kr" "$t/data.bin" > "$t/rep" 2>&1 &&
   dump "$t/k.mtr" > "$t/got" && cmp -s "$t/got" "$t/want"; then
	echo "ok 1 - ptrace: exact trace of known reads (the fread as its read syscalls)"
else
	echo "not ok 1 - ptrace exact trace"; sed 's/^/# /' "$t/rep" "$t/got" 2>/dev/null
fi
if grep -q 'under ptrace' "$t/rep" && grep -q '^  [1-9][0-9]* reads through an unrecorded fd' "$t/rep" &&
   grep -q '^  2 lseek() calls on the file' "$t/rep" &&
   "$mb" trace dump "$t/k.mtr" | grep -q "spec=record:file=$t/data.bin,size=65536,used=read,wall_ns=[0-9]*,cmd=$kr $t/data.bin"; then
	echo "ok 2 - ptrace: header and report (unrecorded fds, lseeks)"
else
	echo "not ok 2 - ptrace header/report"; sed 's/^/# /' "$t/rep"
fi

case $st in
none:*) echo "ok 3 # SKIP static binary: ${st#none:}" ;;
*)
	"$mb" record -o "$t/sp.mtr" --file "$t/data.bin" -- "$st" "$t/data.bin" > "$t/srep" 2>&1
	prc=$?
	if "$mb" record --mechanism ptrace -o "$t/s.mtr" --file "$t/data.bin" -- "$st" "$t/data.bin" >> "$t/srep" 2>&1 &&
	   dump "$t/s.mtr" | cmp -s - "$t/want" && [ $prc -eq 2 ] && [ ! -e "$t/sp.mtr" ] &&
	   grep -q 'never loaded the interposer (a static binary' "$t/srep"; then
		echo "ok 3 - static binary: ptrace records its exact trace; preload writes nothing and says why"
	else
		echo "not ok 3 - static binary (preload exit $prc)"; sed 's/^/# /' "$t/srep"
	fi ;;
esac

"$mb" record --mechanism ptrace -o "$t/f.mtr" --file "$t/data.bin" -- "$fk" "$t/data.bin" fork > "$t/frep" 2>&1
frc=$?
printf 'R 0x0 100\nR 0x2000 200\nR 0x3000 30\nR 0x1000 300\nR 0x112c 10\n' > "$t/fwant"
if [ -e "$t/f.mtr" ] && dump "$t/f.mtr" | cmp -s - "$t/fwant"; then
	echo "ok 4 - ptrace: thread, raw syscall, forked child on the shared position: exact trace"
else
	echo "not ok 4 - ptrace fork/thread trace"; sed 's/^/# /' "$t/frep"; [ -e "$t/f.mtr" ] && dump "$t/f.mtr" | sed 's/^/# /'
fi
if [ $frc -eq 7 ] && grep -q 'exit 7' "$t/frep"; then
	echo "ok 5 - the program's exit status (7) is mapbench record's"
else
	echo "not ok 5 - exit status $frc, not 7"
fi
# the interposer on the same program: the raw pread is not in its trace, and the report counts it
"$mb" record -o "$t/fp.mtr" --file "$t/data.bin" -- "$fk" "$t/data.bin" fork > "$t/fprep" 2>&1
if [ -e "$t/fp.mtr" ] && ! dump "$t/fp.mtr" | grep -q '^R 0x3000 30$' &&
   grep -q '^  [1-9][0-9]* read syscalls the interposer did not see' "$t/fprep"; then
	echo "ok 6 - preload misses the raw syscall and reports unseen read syscalls"
else
	echo "not ok 6 - preload on the raw syscall"; sed 's/^/# /' "$t/fprep"
fi

if "$mb" record --mechanism ptrace -o "$t/m.mtr" --file "$t/data.bin" -- "$fk" "$t/data.bin" mmap > "$t/mrep" 2>&1 &&
   dump "$t/m.mtr" | grep -q '^R 0x3000 4096$' && grep -q '^  1 mmap() of the file' "$t/mrep"; then
	echo "ok 7 - ptrace: mmap counted, the touched page recorded from pagemap at munmap"
else
	echo "not ok 7 - ptrace mmap"; sed 's/^/# /' "$t/mrep"
fi

# a traced recorder cannot trace: the inner child's PTRACE_TRACEME fails (it is the outer's tracee)
"$mb" record --mechanism ptrace -o "$t/o.mtr" --file "$t/data.bin" -- \
	"$mb" record --mechanism ptrace -o "$t/i.mtr" --file "$t/data.bin" -- "$kr" "$t/data.bin" > "$t/erep" 2>&1
erc=$?
if [ $erc -eq 2 ] && [ ! -e "$t/i.mtr" ] &&
   grep -q 'ptrace is not permitted: PTRACE_TRACEME: Operation not permitted' "$t/erep"; then
	echo "ok 8 - ptrace not permitted: clear error, exit 2, nothing written"
else
	echo "not ok 8 - ptrace not permitted (exit $erc)"; sed 's/^/# /' "$t/erep"
fi
