#!/bin/bash
# install.sh: `make install DESTDIR=...` puts every file of the install
# story in place, the installed default tree and demo pass supervisord
# -n, the installed demo runs for real from the installed files alone
# (its workers named @NAME, PATH without the build tree), and the unit
# passes systemd-analyze verify where it exists. Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"

echo "1..9"

tmp=$(mktemp -d /tmp/install.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
unset NOTIFY_SOCKET MSG_RUNDIR SUPERVISORD_RUNDIR SUPERVISORD_WORKERDIR

. "$(dirname "$0")/tap.sh"
guard 300

# make VAR: the value of a variable of the build's Makefile.
mkvar() {
	make -s -C "$top_builddir" --no-print-directory -f Makefile \
	    -f - print-var VAR="$1" <<'MK'
print-var:
	@echo '$($(VAR))'
MK
}

dest=$tmp/root
run make -C "$top_builddir" install DESTDIR="$dest"
if [ "$st" -eq 0 ]; then
	ok "make install DESTDIR=... succeeds"
else
	not_ok "make install DESTDIR=... succeeds" "$(tail -20 "$tmp/err")"
fi

sbindir=$(mkvar sbindir) bindir=$(mkvar bindir) libdir=$(mkvar libdir)
workerdir=$(mkvar workerdir) confdir=$(mkvar supkitconfdir)
datadir=$(mkvar supkitdatadir) unitdir=$(mkvar systemdsystemunitdir)
compdir=$(mkvar bashcompletiondir)
missing=
for f in "$sbindir/supervisord" "$bindir/supervisorctl" "$bindir/msg" \
    "$workerdir/counter" "$workerdir/echo" "$workerdir/eventmgr" \
    "$workerdir/lightswitch" "$confdir/supervisord.json" \
    "$datadir/supervisord.schema.json" "$datadir/demo.json" \
    "$datadir/example.json" "$datadir/entrypoint.json" \
    ${unitdir:+"$unitdir/supervisord.service"} \
    ${compdir:+"$compdir/supervisorctl" "$compdir/msg"}; do
	[ -f "$dest$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then
	ok "the unit, default tree, schema, examples and completions are installed"
else
	not_ok "the unit, default tree, schema, examples and completions are installed" \
	    "missing:$missing"
fi

# The installed programs find their library and workers under $dest only.
export LD_LIBRARY_PATH=$dest$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export SUPERVISORD_WORKERDIR=$dest$workerdir
SD=$dest$sbindir/supervisord
CTL=$dest$bindir/supervisorctl

# The installed supervisord reads the installed default tree without -c
# only at the configured path; name it, as the unit does.
run "$SD" -n -c "$dest$confdir/supervisord.json"
expect "the installed default tree passes supervisord -n" 0 \
    "$dest$confdir/supervisord.json: ok"
run "$SD" -n -c "$dest$datadir/demo.json"
expect "the installed demo passes supervisord -n" 0 \
    "$dest$datadir/demo.json: ok"

# The installed demo names the example workers, not what PATH finds.
if grep -q '"argv": \["@counter"' "$dest$datadir/demo.json" &&
    ! grep -q '"argv": \["\(counter\|echo\|eventmgr\|lightswitch\)"' \
    "$dest$datadir/demo.json"; then
	ok "the installed demo names its workers @NAME"
else
	not_ok "the installed demo names its workers @NAME" \
	    "$(grep argv "$dest$datadir/demo.json")"
fi

# ready: supervisorctl status exits 0 once the whole tree runs. Each try
# waits for its reply; the count only bounds a daemon that never comes up
# (a missing socket is answered at once, so a short pause between tries).
ready() {
	local i
	for ((i = 0; i < 300; i++)); do
		"$CTL" -r "$tmp/run" status >"$tmp/status" 2>&1 && return 0
		kill -0 "$sd" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

PATH=/usr/bin:/bin "$SD" -f -r "$tmp/run" -S "$tmp/state" \
    -c "$dest$datadir/demo.json" >"$tmp/sd.out" 2>"$tmp/sd.err" &
sd=$!
pids="$pids $sd"
if ready; then
	ok "the installed demo starts: supervisorctl status exits 0"
else
	not_ok "the installed demo starts: supervisorctl status exits 0" \
	    "$(cat "$tmp/status")" "$(cat "$tmp/sd.err")"
fi
run env MSG_RUNDIR="$tmp/run" "$dest$bindir/msg" call echo echo '"hi"'
expect "the installed echo worker answers (not /bin/echo)" 0 '"hi"'
run "$CTL" -r "$tmp/run" shutdown
wait "$sd"
sdst=$?
forget "$sd"
if [ "$st" -eq 0 ] && [ "$sdst" -eq 0 ]; then
	ok "supervisorctl shutdown stops the installed demo, exit 0"
else
	not_ok "supervisorctl shutdown stops the installed demo, exit 0" \
	    "supervisorctl $st: $err" "supervisord $sdst: $(tail -5 "$tmp/sd.err")"
fi

# systemd-analyze checks the binaries the unit names exist: point them
# into $dest. Man pages are not installed system-wide: --man=no.
if [ -z "$unitdir" ]; then
	echo "ok $((n += 1)) # SKIP configured --without-systemdsystemunitdir"
elif ! command -v systemd-analyze >/dev/null; then
	echo "ok $((n += 1)) # SKIP systemd-analyze not found"
else
	sed "s#^\(Exec[A-Za-z]*=\)/#\1$dest/#" \
	    "$dest$unitdir/supervisord.service" >"$tmp/supervisord.service"
	run systemd-analyze verify --man=no "$tmp/supervisord.service"
	expect "systemd-analyze verify accepts supervisord.service" 0 ""
fi

[ "$n" -eq 9 ] || echo "# ran $n tests, planned 9"
