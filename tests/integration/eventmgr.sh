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

. "$(dirname "$0")/tap.sh"
guard 300

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

if start_worker em "$EVENTMGR"; then
	ok "eventmgr --name em says READY=1"
else
	not_ok "eventmgr --name em says READY=1" "$(cat "$tmp/em.log")"
fi
start_worker counter "$COUNTER" || echo "# counter did not start"
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
forget "$subpid"
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

stop_worker em
stop_worker counter

[ "$n" -eq 18 ] || echo "# ran $n tests, planned 18"
