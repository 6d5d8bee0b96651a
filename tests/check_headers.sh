#!/bin/sh
# tests/check_headers.sh — TAP: every header of the tree compiles on its own
# (CONVENTIONS.md §7). Args: SOURCE_ROOT BUILD_ROOT CC
src=$1; build=$2; cc=${3:-cc}
cd "$src" || exit 1
hdrs=$(git ls-files '*.h' 2>/dev/null || find . -name '*.h' -not -path './build*')
[ -n "$hdrs" ] || hdrs=$(find . -name '*.h' -not -path './build*' | sed 's|^\./||')
# include headers not yet committed too
hdrs=$(printf '%s\n%s\n' "$hdrs" "$(find common traces bench sim analysis cli -name '*.h' 2>/dev/null)" | sort -u)
n=0; fail=0
for h in $hdrs; do
	n=$((n + 1))
	if out=$(printf '#include "%s"\n#include "%s"\n' "$h" "$h" | "$cc" -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
		-I"$src" -I"$build" -I/usr/include/hwloc -x c -fsyntax-only - 2>&1); then
		echo "ok $n - $h compiles alone (and twice: guard works)"
	else
		echo "not ok $n - $h does not compile on its own"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -20
		fail=$((fail + 1))
	fi
done
echo "1..$n"
[ $fail -eq 0 ]
