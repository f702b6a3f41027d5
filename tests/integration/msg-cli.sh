#!/bin/bash
# msg-cli.sh: msg(1) against the example workers (counter, echo) and a
# never-answering actor (stall), each in a private run directory. A
# worker is used once it said READY=1 to notify-wait; nothing sleeps.
# Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
MSG=$top_builddir/libmsg/msg
NW=$top_builddir/tests/integration/notify-wait
COUNTER=$top_builddir/workers/counter
ECHO=$top_builddir/workers/echo
STALL=$top_builddir/tests/integration/stall
BOUND=10000		# ms: an upper bound for what must happen soon

echo "1..40"

tmp=$(mktemp -d /tmp/msg-cli.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
export MSG_RUNDIR=$tmp/run	# missing: the first worker creates it 0700
unset NOTIFY_SOCKET
ulimit -c 0			# counter's "crash" aborts

. "$(dirname "$0")/tap.sh"
guard 300

# --- start the actors ---

for a in "counter $COUNTER" "echo $ECHO" "stall $STALL"; do
	set -- $a
	if start_worker "$1" "$2"; then
		ok "$1 says READY=1"
	else
		not_ok "$1 says READY=1" "$(cat "$tmp/$1.log" 2>/dev/null)"
	fi
done
if [ "$(stat -c %a "$MSG_RUNDIR")" = 700 ] &&
    [ "$(stat -c %a "$MSG_RUNDIR/counter.sock")" = 600 ]; then
	ok "run directory 0700, socket 0600"
else
	not_ok "run directory 0700, socket 0600" \
	    "$(stat -c '%a %n' "$MSG_RUNDIR" "$MSG_RUNDIR"/*)"
fi

# --- counter: call, cast, unknown tag ---

run "$MSG" call counter get
expect "call counter get: count 0" 0 $'{\n  "count": 0\n}'
run "$MSG" cast counter increment
expect "cast counter increment" 0 ""
run "$MSG" cast counter increment 41
expect "cast counter increment 41 (JSON)" 0 ""
run "$MSG" call counter get
expect "casts took effect in order: count 42" 0 $'{\n  "count": 42\n}'
run "$MSG" call counter 0x540ca757
expect "a numeric tag (0x540ca757 = get)" 0 $'{\n  "count": 42\n}'
run "$MSG" call counter frobnicate
expect "unknown tag: exit 1, error on stderr" 1 "" \
    "error 1 (unknown tag): unknown call"

# --- echo: JSON and plain text ---

run "$MSG" call echo echo '{"a":[1,"x"],"b":null}'
expect "echo a JSON payload" 0 \
    $'{\n  "a": [\n    1,\n    "x"\n  ],\n  "b": null\n}'
run "$MSG" call echo echo 'hello, world'
expect "echo plain text" 0 "hello, world"
run "$MSG" call echo echo '{"unterminated"'
expect "echo text that only looks like JSON" 0 '{"unterminated"'
run "$MSG" call echo echo
expect "echo nothing" 0 ""
run "$MSG" call echo echo '{"r":50.697,"ts":1764000031.402113}'
expect "reals print with 16 significant digits" 0 \
    $'{\n  "r": 50.697,\n  "ts": 1764000031.402113\n}'

# --- a worker that cannot listen names itself once ---

: >"$tmp/file"
run env MSG_RUNDIR="$tmp/file/run" "$COUNTER"
if [ "$st" -eq 1 ] && [[ $err == "counter: cannot listen: "* ]]; then
	ok "cannot listen: exit 1, \"counter: cannot listen: ...\""
else
	not_ok "cannot listen: exit 1, \"counter: cannot listen: ...\"" \
	    "status $st" "stderr: $err"
fi

# --- nobody there, nobody answering ---

run "$MSG" call nosuch get
expect "no such actor: exit 69" 69 "" \
    "no actor nosuch: nothing listens on $MSG_RUNDIR/nosuch.sock"
run "$MSG" -t 300 call stall anything
expect "no answer: exit 75" 75 "" "stall: no answer within 300 ms"
if [ "$ms" -ge 290 ] && [ "$ms" -lt "$BOUND" ]; then
	ok "the timeout is -t 300 (${ms} ms)"
else
	not_ok "the timeout is -t 300" "took $ms ms"
fi
# A stopped actor does not even say HELLO: the connect times out.
kill -STOP "$pid_echo"
run "$MSG" -t 300 call echo echo x
kill -CONT "$pid_echo"
# msg(1): a connection that timed out is "unavailable", 69.
if [ "$st" -eq 69 ] && [[ $err == *"cannot connect to $MSG_RUNDIR/echo.sock"* ]] &&
    [[ $err == *"timed out"* ]] && [ "$ms" -lt "$BOUND" ]; then
	ok "stopped actor: msg gives up after -t, exit 69 ($ms ms)"
else
	not_ok "stopped actor: msg gives up after -t" "status $st, $ms ms" \
	    "stderr: $err"
fi
run "$MSG" call echo echo again
expect "echo serves again after SIGCONT" 0 "again"

# --- usage ---

run "$MSG"
expect "no command: exit 64" 64 "" "usage: msg"
run "$MSG" call counter
expect "call without a tag: exit 64" 64 "" "usage: msg"
run "$MSG" -t soon call counter get
expect "bad -t: exit 64" 64 "" "usage: msg"
run "$MSG" frob counter get
expect "unknown command: exit 64" 64 "" "msg: unknown command frob
usage: msg"
run "$MSG" -t soon call counter get
expect "bad -t says why" 64 "" \
    'msg: -t: expected a number of milliseconds (0 or more), not "soon"'
run "$MSG" cal counter get
expect "a typo of a command: did you mean" 64 "" \
    "msg: unknown command cal (did you mean call or cast?)"
run "$MSG" --help
expect "--help: the usage on stdout, exit 0" 0 "$(cat <<'USAGE'
usage: msg [-t ms] call NAME TAG [PAYLOAD]
       msg [-t ms] cast NAME TAG [PAYLOAD]
       msg [-t ms] sub NAME TOPIC
       msg [-t ms] pub [--sync] NAME TOPIC [DATA]
       msg [-t ms] help [COMMAND]
USAGE
)"
run "$MSG" help pub
expect "help COMMAND: its usage line" 0 \
    "usage: msg [-t ms] pub [--sync] NAME TOPIC [DATA]"
run "$MSG" sub counter
expect "a wrong operand count: that command's usage" 64 "" \
    "usage: msg [-t ms] sub NAME TOPIC"

# --- pub/sub: msg sub in the background, read through a FIFO ---

mkfifo "$tmp/sub.fifo"
"$MSG" -t "$BOUND" sub echo news. >"$tmp/sub.fifo" 2>"$tmp/sub.err" &
subpid=$!
pids="$pids $subpid"
exec 5<"$tmp/sub.fifo"

# msg sub shows no sign once its SUBSCRIBE was handled; an event it
# prints is the proof. Publish sync events until one comes back, each
# wait bounded (normally the first one does).
synced=0
for i in $(seq 1 20); do
	"$MSG" pub echo news.sync "$i" || break
	if IFS= read -r -t 1 line <&5; then
		synced=1
		break
	fi
done
if [ $synced = 1 ]; then
	ok "msg sub receives (after $i sync event(s))"
else
	not_ok "msg sub receives" "$(cat "$tmp/sub.err")"
fi

# next_event: the next line that is not a sync event, or "TIMEOUT".
next_event() {
	while :; do
		if ! IFS= read -r -t $((BOUND / 1000)) line <&5; then
			line=TIMEOUT
			return
		fi
		[[ $line == news.sync* ]] || return
	done
}

st=0
"$MSG" pub echo news.a hello || st=$?
"$MSG" pub echo other.x "not for us" || st=$?
"$MSG" pub echo news.b 42 || st=$?
"$MSG" pub echo news.j '{"k":"v"}' || st=$?
# Last, so nothing printed after it can flush it out by chance.
"$MSG" pub echo news.empty || st=$?
if [ $st = 0 ]; then ok "msg pub exits 0"; else not_ok "msg pub exits 0" "$st"; fi
got=
for i in 1 2 3 4 5 6; do
	next_event
	got="$got|$line"
done
want="|news.a hello|news.b 42|news.j {|  \"k\": \"v\"|}|news.empty "
if [ "$got" = "$want" ]; then
	ok "msg sub prints matching events, in order, and only those"
else
	not_ok "msg sub prints matching events, in order, and only those" \
	    "got:  $got" "want: $want"
fi

# --- crash and stop ---

run "$MSG" call counter crash
expect "counter crash: connection lost, exit 69" 69 "" \
    "counter: connection lost (actor down)"
wait "$pid_counter"
cst=$?
forget "$pid_counter"
if [ $cst -eq $((128 + 6)) ]; then
	ok "counter died of SIGABRT"
else
	not_ok "counter died of SIGABRT" "status $cst"
fi
run "$MSG" call counter get
expect "dead counter: no actor, exit 69" 69 "" "no actor counter"

stop_worker echo
# The subscriber learns its actor is gone and says so.
wait "$subpid"
sst=$?
forget "$subpid"
exec 5<&-
if [ $sst -eq 69 ] && grep -q "echo: connection lost" "$tmp/sub.err"; then
	ok "msg sub exits 69 when its actor goes"
else
	not_ok "msg sub exits 69 when its actor goes" "status $sst" \
	    "$(cat "$tmp/sub.err")"
fi
stop_worker stall
if [ -z "$(ls -A "$MSG_RUNDIR" | grep -v '^counter\.sock$')" ]; then
	ok "stopped actors removed their sockets"
else
	not_ok "stopped actors removed their sockets" "$(ls -A "$MSG_RUNDIR")"
fi

[ "$n" -eq 40 ] || echo "# ran $n tests, planned 40"
