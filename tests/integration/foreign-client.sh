#!/bin/sh
# foreign-client.sh: pyclient.py, a client written in Python from
# libmsg(7) alone, against the C workers counter and echo in a private
# run directory. Workers are used once they said READY=1; nothing sleeps.
# Prints TAP; exits 1 if any check failed.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
PYTHON=${PYTHON:-python3}
CLIENT=$top_srcdir/tests/integration/pyclient.py
BOUND=10000		# ms: an upper bound for what must happen soon

if ! command -v "$PYTHON" >/dev/null 2>&1; then
	echo "1..0 # SKIP $PYTHON not found"
	exit 0
fi

tmp=$(mktemp -d /tmp/foreign.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
export MSG_RUNDIR="$tmp/run"	# missing: the first worker creates it
unset NOTIFY_SOCKET LISTEN_PID LISTEN_FDS LISTEN_FDNAMES

cleanup() {
	for f in "$tmp"/*.pid; do
		[ -s "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

. "$(dirname "$0")/tap.sh"

# start NAME: run workers/NAME until it says READY=1.
start() {
	if "$PYTHON" "$CLIENT" wait-ready "$tmp/$1.notify" "$BOUND" \
	    "$tmp/$1.pid" "$top_builddir/workers/$1" >"$tmp/$1.log" 2>&1; then
		ok "$1 started and said READY=1"
	else
		not_ok "$1 started and said READY=1" "$(cat "$tmp/$1.log")"
	fi
}
start counter
start echo

# pyclient.py prints "ok - ..." / "not ok - ..." lines; number them here.
"$PYTHON" "$CLIENT" check "$MSG_RUNDIR" >"$tmp/check.out" 2>"$tmp/check.err"
st=$?
client_pid=
while IFS= read -r line; do
	case $line in
	"ok - "*)
		ok "${line#ok - }" ;;
	"not ok - "*)
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - ${line#not ok - }" ;;
	"# client pid "*)
		client_pid=${line#\# client pid }
		echo "$line" ;;
	*)
		echo "$line" ;;
	esac
done <"$tmp/check.out"
if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then
	not_ok "pyclient.py check exited $st" "$(cat "$tmp/check.err")"
fi

# libmsg(7): one log line naming the client's pid per protocol error (the
# checks commit six against counter), and the server keeps serving.
lines=0
[ -n "$client_pid" ] && lines=$(grep -cw "$client_pid" "$tmp/counter.log")
if [ "$lines" -ge 6 ]; then
	ok "counter logged the protocol errors with the client's pid"
else
	not_ok "counter logged the protocol errors with the client's pid" \
	    "$lines lines name pid $client_pid:" "$(cat "$tmp/counter.log")"
fi
for w in counter echo; do
	if kill -0 "$(cat "$tmp/$w.pid" 2>/dev/null)" 2>/dev/null; then
		ok "$w still runs"
	else
		not_ok "$w still runs" "$(cat "$tmp/$w.log")"
	fi
done

echo "1..$n"
[ "$failed" -eq 0 ]
