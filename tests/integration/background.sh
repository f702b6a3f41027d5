#!/bin/bash
# background.sh: supervisord started without -f from a terminal (a
# pseudo-terminal from script(1), so isatty(0) holds) goes to the
# background: one line on the terminal says its pid and log file, the
# log file gets its messages and the output of an "inherit" child, -p
# writes a pid file that a clean shutdown removes, and a second daemon
# on the same run directory is refused without touching the first's pid
# file. The end of the daemon is awaited on its pid file's lock
# (flock(1)): nothing sleeps. Prints TAP; skips without a pty.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
SD=$top_builddir/supervisord/supervisord
CTL=$top_builddir/supervisord/supervisorctl
PLAN=14

tmp=$(mktemp -d /tmp/background.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
. "$(dirname "$0")/tap.sh"
guard 120

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

command -v script >/dev/null 2>&1 || skip_all "no script(1)"
command -v flock >/dev/null 2>&1 || skip_all "no flock(1)"
if ! out=$(script -qec 'test -t 0 && echo tty' /dev/null </dev/null 2>&1) ||
    [ "${out%$'\r'}" != tty ]; then
	skip_all "no pseudo-terminal"
fi

echo "1..$PLAN"

# A run-once step writes to both of its inherited outputs before the
# tree counts as started, so both are in the log once the parent exits.
cat >"$tmp/tree.json" <<'EOF'
{ "id": "root", "strategy": "one_for_one", "intensity": 5, "period": 10,
  "children": [
    { "id": "step", "ready": "exited", "restart": "transient",
      "argv": ["/bin/sh", "-c", "echo 'step: to stdout'; echo 'step: to stderr' >&2"] },
    { "id": "svc", "argv": ["/bin/sleep", "86399"] }
  ] }
EOF
cat >"$tmp/bad.json" <<'EOF'
{ "id": "root", "children": [
    { "id": "step", "ready": "exited", "restart": "transient",
      "argv": ["/bin/sh", "-c", "exit 3"] } ] }
EOF
run_dir=$tmp/run
log=$run_dir/supervisord.log
pidf=$tmp/supervisord.pid

# on_tty ARGS...: supervisord ARGS under a pty; sets st, out (CRs gone).
on_tty() {
	local cmd q a
	cmd=$(printf '%q ' "$SD" "$@")
	out=$(timeout 60 script -qec "$cmd" /dev/null </dev/null 2>&1)
	st=$?
	out=${out//$'\r'/}
}

on_tty -c "$tmp/tree.json" -r "$run_dir" -S "$tmp/state" -p "$pidf"
pid=${out#*"(pid "}
pid=${pid%%")"*}
want="supervisord: running in the background (pid $pid); log: $log"
if [ "$st" -eq 0 ] && [ "$out" = "$want" ]; then
	ok "the terminal gets one line: pid and log file"
else
	not_ok "the terminal gets one line: pid and log file" \
	    "status $st" "got:  $out" "want: $want"
fi
case $pid in
''|*[!0-9]*)
	echo "Bail out! no pid in: $out"
	exit 1 ;;
esac
pids="$pid"		# guard_exit ends it whatever happens

if [ "$(cat "$pidf" 2>/dev/null)" = "$pid" ] && kill -0 "$pid"; then
	ok "-p FILE holds the running daemon's pid"
else
	not_ok "-p FILE holds the running daemon's pid" \
	    "pid file: $(cat "$pidf" 2>&1)" "want: $pid"
fi
if [ "$(cat "$run_dir/supervisord.pid" 2>/dev/null)" = "$pid" ]; then
	ok "RUNDIR/supervisord.pid too"
else
	not_ok "RUNDIR/supervisord.pid too" "$(cat "$run_dir/supervisord.pid" 2>&1)"
fi
if grep -q "supervisord\[$pid\]: tree started$" "$log" 2>/dev/null; then
	ok "the log file gets the daemon's messages"
else
	not_ok "the log file gets the daemon's messages" "$(cat "$log" 2>&1)"
fi
if grep -qx 'step: to stdout' "$log" && grep -qx 'step: to stderr' "$log"; then
	ok "the log file gets an inherit child's stdout and stderr"
else
	not_ok "the log file gets an inherit child's stdout and stderr" \
	    "$(cat "$log" 2>&1)"
fi
if [ "$(stat -c %a "$log")" = 600 ]; then
	ok "the log file is mode 0600"
else
	not_ok "the log file is mode 0600" "$(stat -c %a "$log")"
fi

# A second one on the same run directory, with the same -p.
on_tty -c "$tmp/tree.json" -r "$run_dir" -S "$tmp/state" -p "$pidf"
if [ "$st" -eq 71 ] && case $out in
    *"already running on $run_dir (pid $pid)"*) true ;; *) false ;; esac; then
	ok "a second daemon on the run directory: exit 71, says who runs"
else
	not_ok "a second daemon on the run directory: exit 71, says who runs" \
	    "status $st" "$out"
fi
if [ "$(cat "$pidf" 2>/dev/null)" = "$pid" ]; then
	ok "... and leaves the first one's pid file alone"
else
	not_ok "... and leaves the first one's pid file alone" "$(cat "$pidf" 2>&1)"
fi
# Another run directory, the same -p file.
run timeout 60 "$SD" -f -c "$tmp/tree.json" -r "$tmp/run2" -S "$tmp/state" \
    -p "$pidf"
expect "another run directory, the same -p file: exit 71" 71 "" \
    "pid file $pidf: held by another supervisord (pid $pid)"

# The pid file's lock goes with the daemon: flock returns when it ends.
exec 5<"$pidf"
run "$CTL" -r "$run_dir" shutdown
if [ "$st" -eq 0 ] && timeout 60 flock 5; then
	forget "$pid"
	ok "shutdown ends the daemon"
else
	not_ok "shutdown ends the daemon" "status $st" "$err"
fi
exec 5<&-
if [ ! -e "$pidf" ] && [ ! -e "$run_dir/supervisord.pid" ]; then
	ok "a clean exit removes the pid files"
else
	not_ok "a clean exit removes the pid files" "$(ls -l "$tmp" "$run_dir")"
fi

# -s: messages to syslog, the children's output still to the file.
on_tty -s -c "$tmp/tree.json" -r "$tmp/run4" -S "$tmp/state"
pid4=${out#*"(pid "}
pid4=${pid4%%")"*}
want="supervisord: running in the background (pid $pid4); log: syslog; output: $tmp/run4/supervisord.log"
if [ "$st" -eq 0 ] && [ "$out" = "$want" ]; then
	ok "-s: the line names syslog and the output file"
	pids="$pids $pid4"
else
	not_ok "-s: the line names syslog and the output file" \
	    "status $st" "got:  $out" "want: $want"
fi
if grep -qx 'step: to stderr' "$tmp/run4/supervisord.log" 2>/dev/null &&
    ! grep -q 'tree started' "$tmp/run4/supervisord.log"; then
	ok "-s: the file gets the children's output, not the messages"
else
	not_ok "-s: the file gets the children's output, not the messages" \
	    "$(cat "$tmp/run4/supervisord.log" 2>&1)"
fi
exec 5<"$tmp/run4/supervisord.pid"
"$CTL" -r "$tmp/run4" shutdown >/dev/null 2>&1 && timeout 60 flock 5 &&
    forget "$pid4"
exec 5<&-

# A tree that does not start: the terminal says where to look.
on_tty -c "$tmp/bad.json" -r "$tmp/run3" -S "$tmp/state"
if [ "$st" -eq 1 ] && case $out in
    *"exited with status 1; see $tmp/run3/supervisord.log"*) true ;;
    *) false ;; esac; then
	ok "a tree that fails to start: exit 1, the terminal names the log"
else
	not_ok "a tree that fails to start: exit 1, the terminal names the log" \
	    "status $st" "$out"
fi
# Its daemon may still be on its way out: let it go before $tmp does.
if exec 5<"$tmp/run3/supervisord.pid"; then
	timeout 60 flock 5
	exec 5<&-
fi 2>/dev/null
exit $((failed > 0))
