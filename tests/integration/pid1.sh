#!/bin/bash
# pid1.sh: supervisord as process 1 of a container, in a pid namespace
# of its own (unshare --pid --fork --mount-proc), as contrib/Containerfile
# runs it: it reaps the orphans it inherits, SIGTERM and SIGINT stop the
# tree in order (each child with its own stop signal: no signal is passed
# on as it came) and it exits 0, SIGHUP reloads, and the signals
# supervisord(8) ignores change nothing. Needs root and unshare: skipped
# without them. Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
SD=$top_builddir/supervisord/supervisord
CTL=$top_builddir/supervisord/supervisorctl
NW=$top_builddir/tests/integration/notify-wait
BOUND=30000

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root for a pid namespace"
	exit 0
fi
if ! unshare --pid --fork --mount-proc true >/dev/null 2>&1; then
	echo "1..0 # SKIP unshare --pid --fork --mount-proc fails here"
	exit 0
fi

echo "1..12"

tmp=$(mktemp -d /tmp/pid1.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
unset NOTIFY_SOCKET

. "$(dirname "$0")/tap.sh"
guard 240

# A grandchild left to supervisord: the worker's subshell starts it and
# exits at once; it waits on the fifo, then exits in turn.
cat >"$tmp/orphans.sh" <<'EOF'
( /bin/sh -c 'read x < "$1"' orphan "$1" & )
exec /bin/sleep 100000
EOF
# A worker that writes down which signal stopped it: "NAME SIG".
cat >"$tmp/stopper.sh" <<'EOF'
trap 'echo "$1 INT" >>"$2"; kill $s; exit 0' INT
trap 'echo "$1 TERM" >>"$2"; kill $s; exit 0' TERM
/bin/sleep 100000 & s=$!
wait $s
EOF
mkfifo "$tmp/fifo"

# tree [EXTRA-CHILD]: orphans, then a (stopped with SIGINT) and b (with
# the default SIGTERM), started in that order and stopped b first.
tree() {
	cat >"$tmp/tree.json.new" <<EOF
{ "children": [
  { "id": "orphans", "argv": ["/bin/sh", "$tmp/orphans.sh", "$tmp/fifo"] },
  { "id": "a", "stop_signal": "INT",
    "argv": ["/bin/sh", "$tmp/stopper.sh", "a", "$tmp/stops"] },
  { "id": "b", "argv": ["/bin/sh", "$tmp/stopper.sh", "b", "$tmp/stops"] }${1:+,
  $1}
] }
EOF
	mv "$tmp/tree.json.new" "$tmp/tree.json"
}

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# wait_for CMD...: until it succeeds, for at most $BOUND ms (an upper
# bound: each check is of a state that comes by itself).
wait_for() {
	local end=$(($(ms_now) + BOUND))
	until "$@"; do
		[ "$(ms_now)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# start_pid1: supervisord -f as process 1 of a new pid namespace, on
# $tmp/tree.json; returns once it said READY=1 (its tree started). $up is
# unshare's pid, whose exit status is supervisord's; $sd is supervisord's
# pid as seen from here.
start_pid1() {
	local line nw rc
	rm -rf "$tmp/nw.fifo" "$tmp/notify.sock" "$tmp/run" "$tmp/stops"
	mkfifo "$tmp/nw.fifo"
	"$NW" "$tmp/notify.sock" "$BOUND" >"$tmp/nw.fifo" &
	nw=$!
	exec 4<"$tmp/nw.fifo"
	if ! IFS= read -r line <&4 || [ "$line" != listening ]; then
		exec 4<&-
		wait "$nw"
		return 1
	fi
	NOTIFY_SOCKET=$tmp/notify.sock unshare --pid --fork --mount-proc \
	    "$SD" -f -r "$tmp/run" -S "$tmp/state" -c "$tmp/tree.json" \
	    2>>"$tmp/sd.log" &
	up=$!
	pids="$pids $up"
	wait "$nw"
	rc=$?
	exec 4<&-
	sd=$(pgrep -P "$up")
	[ -n "$sd" ] && pids="$sd $pids"
	[ "$rc" -eq 0 ] && [ -n "$sd" ]
}

# stop_pid1 SIG: send it to process 1 from outside, as a container
# runtime does; sets st, supervisord's exit status.
stop_pid1() {
	kill -"$1" "$sd"
	wait "$up"
	st=$?
	forget "$up"
	forget "$sd"
}

orphan_found() {
	op=$(pgrep -f "orphan $tmp/fifo") &&
	    [ "$(awk '/^PPid:/ { print $2 }' "/proc/$op/status")" = "$sd" ]
}

gone() {
	[ ! -e "/proc/$1" ]
}

added_runs() {
	"$CTL" -r "$tmp/run" status root/added >/dev/null 2>&1
}

tree
if ! start_pid1; then
	not_ok "supervisord starts as process 1 and says READY=1" \
	    "$(cat "$tmp/sd.log")"
	echo "Bail out! supervisord did not start in a pid namespace"
	exit 1
fi
nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$sd/status")
if [ "$nspid" = 1 ]; then
	ok "supervisord starts as process 1 and says READY=1"
else
	not_ok "supervisord starts as process 1 and says READY=1" \
	    "its pid in the namespace: $nspid"
fi

run "$CTL" -r "$tmp/run" ready
expect "supervisorctl ready (the readiness probe) exits 0" 0 "ready"

if wait_for orphan_found; then
	ok "an orphaned grandchild is reparented to process 1"
else
	not_ok "an orphaned grandchild is reparented to process 1" \
	    "$(ps -o pid,ppid,stat,args --ppid "$sd")"
fi

echo >"$tmp/fifo"
if wait_for gone "$op"; then
	ok "the orphan is reaped once it exits"
else
	not_ok "the orphan is reaped once it exits" \
	    "$(grep -E '^(State|PPid)' "/proc/$op/status")"
fi

if ! command -v nsenter >/dev/null; then
	ok "no zombie in the namespace # SKIP no nsenter"
else
	zombies=$(nsenter -t "$sd" -p -m -- sh -c \
	    'grep -l "^State:[[:space:]]*Z" /proc/[0-9]*/status' 2>&1)
	if [ -z "$zombies" ]; then
		ok "no zombie in the namespace"
	else
		not_ok "no zombie in the namespace" "$zombies"
	fi
fi

# Ignored (SIGPIPE) or, at process 1, discarded by the kernel (SIGUSR1,
# for which it has no handler): nothing happens. A fatal signal would end
# supervisord before it answers another call.
b=$(pgrep -f "$tmp/stopper.sh b")
kill -PIPE "$sd"
kill -USR1 "$sd"
run "$CTL" -r "$tmp/run" ready
if [ "$st" -eq 0 ] && [ "$(pgrep -f "$tmp/stopper.sh b")" = "$b" ] &&
    [ ! -e "$tmp/stops" ]; then
	ok "SIGPIPE and SIGUSR1 to process 1 change nothing"
else
	not_ok "SIGPIPE and SIGUSR1 to process 1 change nothing" \
	    "ready: $st $out $err" "stops: $(cat "$tmp/stops" 2>&1)"
fi

tree '{ "id": "added", "argv": ["/bin/sleep", "100000"] }'
kill -HUP "$sd"
if wait_for added_runs; then
	ok "SIGHUP reloads the tree: the new child runs"
else
	not_ok "SIGHUP reloads the tree: the new child runs" \
	    "$("$CTL" -r "$tmp/run" status 2>&1)" "$(tail -5 "$tmp/sd.log")"
fi
if [ "$(pgrep -f "$tmp/stopper.sh b")" = "$b" ]; then
	ok "the reload left the unchanged children running"
else
	not_ok "the reload left the unchanged children running"
fi

stop_pid1 TERM
if [ "$st" -eq 0 ]; then
	ok "SIGTERM to process 1 stops the tree and it exits 0"
else
	not_ok "SIGTERM to process 1 stops the tree and it exits 0" \
	    "status $st" "$(tail -5 "$tmp/sd.log")"
fi
stops=$(cat "$tmp/stops" 2>&1)
if [ "$stops" = "b TERM
a INT" ]; then
	ok "each child got its own stop signal, in reverse start order"
else
	not_ok "each child got its own stop signal, in reverse start order" \
	    "$stops"
fi

tree
if ! start_pid1; then
	not_ok "SIGINT to process 1 stops the tree and it exits 0" \
	    "it did not start again" "$(tail -5 "$tmp/sd.log")"
	not_ok "SIGINT: each child got its own stop signal"
else
	stop_pid1 INT
	if [ "$st" -eq 0 ]; then
		ok "SIGINT to process 1 stops the tree and it exits 0"
	else
		not_ok "SIGINT to process 1 stops the tree and it exits 0" \
		    "status $st" "$(tail -5 "$tmp/sd.log")"
	fi
	stops=$(cat "$tmp/stops" 2>&1)
	if [ "$stops" = "b TERM
a INT" ]; then
		ok "SIGINT: each child got its own stop signal"
	else
		not_ok "SIGINT: each child got its own stop signal" "$stops"
	fi
fi

[ "$n" -eq 12 ] || echo "# ran $n tests, planned 12"
