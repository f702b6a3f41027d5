# tests/integration/tap.sh: sourced by the shell tests (sh or bash).
#
# TAP:	ok DESC; not_ok DESC [DETAIL...] (each detail line becomes a
#	comment); n counts the tests, failed the failures.
# For tests of workers in a private run directory $tmp, with $NW the
# notify-wait helper and $BOUND an upper bound in ms:
#	guard SECONDS	a watchdog (a hang fails the script, never hangs
#			make); on exit (guard_exit) every pid in $pids is
#			ended and $tmp removed
#	run CMD...	sets st, out, err and ms (elapsed)
#	expect DESC STATUS STDOUT [STDERR-SUBSTRING]  judges the last run
#	start_worker NAME PROG [ARGS...]  PROG --name NAME, returns once it
#			said READY=1 (pid_NAME is its pid, $tmp/NAME.log
#			its stderr); nothing sleeps
#	stop_worker NAME  SIGTERM: ok if it exits 0
#	forget PID	it is no longer one of $pids

n=0
failed=0
pids=

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

forget() {
	local p rest=
	for p in $pids; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	pids=$rest
}

guard_exit() {
	kill "$watchdog" 2>/dev/null
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $pids; do kill -CONT "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}

guard() {
	(
		sleep "$1" & s=$!
		trap 'kill $s; exit 0' TERM
		wait $s && kill -TERM $$
	) >/dev/null 2>&1 </dev/null &
	watchdog=$!
	trap guard_exit EXIT
	trap 'exit 1' HUP INT TERM
}

run() {
	local t0
	t0=$(date +%s%N)
	"$@" >"$tmp/out" 2>"$tmp/err"
	st=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

expect() {
	local desc="$1" want_st="$2" want_out="$3" want_err="${4:-}"
	if [ "$st" -eq "$want_st" ] && [ "$out" = "$want_out" ] &&
	    case $err in *"$want_err"*) true ;; *) false ;; esac; then
		ok "$desc"
	else
		not_ok "$desc" "status $st (want $want_st)" "stdout: $out" \
		    "want:   $want_out" "stderr: $err" "want stderr ~ $want_err"
	fi
}

start_worker() {
	local name="$1" prog="$2" line nw rc pid
	shift 2
	rm -f "$tmp/nw.fifo"
	mkfifo "$tmp/nw.fifo"
	"$NW" "$tmp/notify.sock" "$BOUND" >"$tmp/nw.fifo" &
	nw=$!
	exec 4<"$tmp/nw.fifo"
	# notify-wait bound its socket before it says so.
	if ! IFS= read -r line <&4 || [ "$line" != listening ]; then
		exec 4<&-
		wait "$nw"
		return 1
	fi
	NOTIFY_SOCKET=$tmp/notify.sock "$prog" --name "$name" "$@" \
	    2>>"$tmp/$name.log" &
	pid=$!
	pids="$pids $pid"
	eval "pid_$name=\$pid"
	wait "$nw"
	rc=$?
	exec 4<&-
	return $rc
}

# A clean exit is leak-checked under the sanitizers.
stop_worker() {
	local pid st
	eval "pid=\${pid_$1:-}"
	if [ -z "$pid" ]; then
		not_ok "$1 exits 0 on SIGTERM" "it never started"
		return
	fi
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	forget "$pid"
	if [ "$st" -eq 0 ]; then
		ok "$1 exits 0 on SIGTERM"
	else
		not_ok "$1 exits 0 on SIGTERM" "status $st" \
		    "$(cat "$tmp/$1.log" 2>/dev/null)"
	fi
}
