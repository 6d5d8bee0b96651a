#!/bin/sh
# tests/cli_basics.sh — TAP: the dispatcher's contract: help, --version with a
# git sha, unknown commands exit 2 with a message, each command answers --help.
mb=$1
n=0; fail=0
check() { # check DESCRIPTION CMD...
	d=$1; shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; fail=$((fail + 1)); fi
}
check "help exits 0" "$mb" help
check "--version prints a version and git sha" sh -c "'$mb' --version | grep -Eq '^mapbench [0-9]+\.[0-9]+\.[0-9]+ \(git [0-9a-f]{7,}|unknown\)'"
check "unknown command exits 2" sh -c "'$mb' frobnicate; test \$? -eq 2"
check "unknown command names itself" sh -c "'$mb' frobnicate 2>&1 | grep -q \"unknown command 'frobnicate'\""
check "no command exits 2" sh -c "'$mb'; test \$? -eq 2"
for c in trace run sim host suite compare calibrate plot report gate merge; do
	check "'$c --help' exits 0 and prints usage" sh -c "'$mb' $c --help | grep -qi usage"
done
for v in run list show; do
	check "'suite $v --help' prints usage, not a suite named --help" sh -c "'$mb' suite $v --help | grep -qi usage"
done
echo "1..$n"
[ $fail -eq 0 ]
