#!/bin/bash
# eventmgr.sh: the eventmgr worker driven by msg(1): msg sub, msg pub,
# msg pub --sync and msg call stats, in a private run directory. The
# worker is used once it said READY=1 to notify-wait; a subscription is
# used once stats lists it; "msg pub --sync" returns only once the event
# is in the subscriber's socket. Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
MSG=$top_builddir/libmsg/msg
NW=$top_builddir/tests/integration/notify-wait
EVENTMGR=$top_builddir/workers/eventmgr
COUNTER=$top_builddir/workers/counter
BOUND=10000		# ms: an upper bound for what must happen soon

echo "1..18"

tmp=$(mktemp -d /tmp/eventmgr.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
export MSG_RUNDIR=$tmp/run
unset NOTIFY_SOCKET

# An upper bound on the whole script: a hang fails, it never hangs make.
(
	sleep 300 & s=$!
	trap 'kill $s; exit 0' TERM
	wait $s && kill -TERM $$
) >/dev/null 2>&1 </dev/null &
watchdog=$!

pids=
cleanup() {
	kill "$watchdog" 2>/dev/null
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

# run CMD...: sets st, out and err.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# expect DESC STATUS STDOUT [STDERR-SUBSTRING]: judge the last run.
expect() {
	local desc=$1 want_st=$2 want_out=$3 want_err=${4:-}
	if [ "$st" -eq "$want_st" ] && [ "$out" = "$want_out" ] &&
	    { [ -z "$want_err" ] || [[ $err == *"$want_err"* ]]; }; then
		ok "$desc"
	else
		not_ok "$desc" "status $st (want $want_st)" "stdout: $out" \
		    "want:   $want_out" "stderr: $err" "want stderr ~ $want_err"
	fi
}

# start NAME PROG [ARGS...]: run PROG --name NAME and wait for READY=1.
start() {
	local name=$1 prog=$2 line nw rc pid
	shift 2
	rm -f "$tmp/nw.fifo"
	mkfifo "$tmp/nw.fifo"
	"$NW" "$tmp/notify.sock" "$BOUND" >"$tmp/nw.fifo" &
	nw=$!
	exec 4<"$tmp/nw.fifo"
	if ! IFS= read -r line <&4 || [ "$line" != listening ]; then
		exec 4<&-
		wait "$nw"
		return 1
	fi
	NOTIFY_SOCKET=$tmp/notify.sock "$prog" --name "$name" "$@" \
	    2>>"$tmp/$name.log" &
	pid=$!
	pids="$pids $pid"
	printf -v "pid_$name" '%s' "$pid"
	wait "$nw"
	rc=$?
	exec 4<&-
	return $rc
}

# stats: the manager's stats, compact (msg prints it indented).
stats() {
	"$MSG" call em stats 2>/dev/null | tr -d ' \n'
}

# wait_stats WANT: until stats says WANT, each try bounded; 0 or 1.
wait_stats() {
	local i
	for i in $(seq 1 200); do
		[ "$(stats)" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# --- start ---

if start em "$EVENTMGR"; then
	ok "eventmgr --name em says READY=1"
else
	not_ok "eventmgr --name em says READY=1" "$(cat "$tmp/em.log")"
fi
start counter "$COUNTER" || echo "# counter did not start"
run "$MSG" call em stats
expect "stats with no subscriber: []" 0 "[]"

# --- msg sub in the background, read through a FIFO ---

mkfifo "$tmp/sub.fifo"
"$MSG" -t "$BOUND" sub em news. >"$tmp/sub.fifo" 2>"$tmp/sub.err" &
subpid=$!
pids="$pids $subpid"
exec 5<"$tmp/sub.fifo"
want='[{"pid":'$subpid',"prefixes":["news."],"delivered":0,"dropped":0,"queued":0}]'
if wait_stats "$want"; then
	ok "stats lists msg sub (pid $subpid) once subscribed"
else
	not_ok "stats lists msg sub once subscribed" "got:  $(stats)" \
	    "want: $want"
fi

# next_line: the subscriber's next line, or TIMEOUT.
next_line() {
	IFS= read -r -t $((BOUND / 1000)) line <&5 || line=TIMEOUT
}

run "$MSG" pub em news.a hello
expect "msg pub exits 0" 0 ""
next_line
if [ "$line" = "news.a hello" ]; then
	ok "msg sub prints the event"
else
	not_ok "msg sub prints the event" "got: $line"
fi

"$MSG" pub em other.x "not for us"
run "$MSG" pub --sync em news.b 42
expect "msg pub --sync exits 0" 0 ""
# Written to the subscriber's socket before pub --sync returned; the
# other topic went nowhere, so this is the very next line.
next_line
if [ "$line" = "news.b 42" ]; then
	ok "the sync event reached the subscriber; other.x did not"
else
	not_ok "the sync event reached the subscriber; other.x did not" \
	    "got: $line"
fi

run "$MSG" pub --sync em news.j '{"k":[1,2]}'
expect "msg pub --sync with JSON data" 0 ""
got=
for i in 1 2 3 4 5 6; do
	next_line
	got="$got|$line"
done
want='|news.j {|  "k": [|    1,|    2|  ]|}'
if [ "$got" = "$want" ]; then
	ok "JSON data relayed with its flag"
else
	not_ok "JSON data relayed with its flag" "got:  $got" "want: $want"
fi

want='[{"pid":'$subpid',"prefixes":["news."],"delivered":3,"dropped":0,"queued":0}]'
if [ "$(stats)" = "$want" ]; then
	ok "stats: 3 delivered, 0 dropped, nothing queued"
else
	not_ok "stats: 3 delivered, 0 dropped, nothing queued" \
	    "got:  $(stats)" "want: $want"
fi

# --- a subscriber that dies is dropped ---

kill -KILL "$subpid"
wait "$subpid" 2>/dev/null
pids=${pids/ $subpid/}
exec 5<&-
if wait_stats "[]"; then
	ok "a SIGKILLed subscriber leaves stats"
else
	not_ok "a SIGKILLed subscriber leaves stats" "got: $(stats)"
fi
run "$MSG" pub --sync em news.c nobody
expect "msg pub --sync with no subscriber exits 0" 0 ""

# --- errors and usage ---

run "$MSG" pub --sync counter news.x y
expect "msg pub --sync to a plain server: exit 1" 1 "" \
    "counter: sync publish not confirmed: not an event manager"
run "$MSG" pub --sync em
expect "msg pub --sync without a topic: exit 64" 64 "" "usage: msg"
run "$MSG" pub --sync nosuch t d
expect "msg pub --sync to nobody: exit 69" 69 "" "no actor nosuch"
run "$EVENTMGR" --name 'bad/name'
expect "eventmgr --name with a bad name: exit 64" 64 "" "bad name"

# --- stop ---

for a in em counter; do
	pid_var=pid_$a
	if [ -z "${!pid_var:-}" ]; then
		not_ok "$a exits 0 on SIGTERM" "it never started"
		continue
	fi
	kill -TERM "${!pid_var}"
	wait "${!pid_var}"
	st=$?
	pids=${pids/ ${!pid_var}/}
	if [ "$st" -eq 0 ]; then
		ok "$a exits 0 on SIGTERM"
	else
		not_ok "$a exits 0 on SIGTERM" "status $st" \
		    "$(cat "$tmp/$a.log" 2>/dev/null)"
	fi
done

[ "$n" -eq 18 ] || echo "# ran $n tests, planned 18"
