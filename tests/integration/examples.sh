#!/bin/bash
# examples.sh: the example trees in conf/ pass supervisord -n, and the
# container entrypoint (conf/entrypoint.json) runs its migration step,
# then its job, and supervisord exits with the job's status (its
# auto_shutdown), whatever that status is. Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
SD=$top_builddir/supervisord/supervisord

echo "1..7"

tmp=$(mktemp -d /tmp/examples.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
unset NOTIFY_SOCKET

. "$(dirname "$0")/tap.sh"
guard 120

for f in demo example entrypoint; do
	run "$SD" -n -c "$top_srcdir/conf/$f.json"
	expect "supervisord -n accepts conf/$f.json" 0 \
	    "$top_srcdir/conf/$f.json: ok"
done

# entrypoint STATUS: supervisord runs conf/entrypoint.json in the
# foreground with the job exiting STATUS; sets st and err. The bound is
# timeout's, an upper bound only: the tree ends by itself.
entrypoint() {
	rm -rf "$tmp/run" "$tmp/state"
	run env JOB_STATUS="$1" timeout 60 "$SD" -f -r "$tmp/run" \
	    -S "$tmp/state" -c "$top_srcdir/conf/entrypoint.json"
}

# The children write to supervisord's own output: the step, then the job.
said="migrate: schema up to date
job: working"
entrypoint 0
expect "the entrypoint exits 0 when its job does" 0 "$said" \
    "significant child root/job ended"
entrypoint 3
expect "the entrypoint exits with its job's status (3)" 3 "$said" \
    "root/migrate: done"
entrypoint 300
expect "a status above 255 is taken modulo 256, as by the shell (44)" 44 \
    "$said"
# Nothing of the tree outlives it: web was stopped by the shutdown.
if pgrep -f "^/bin/sleep 86399\$" >/dev/null; then
	not_ok "the automatic shutdown stopped web" "$(pgrep -af 'sleep 86399')"
else
	ok "the automatic shutdown stopped web"
fi

[ "$n" -eq 7 ] || echo "# ran $n tests, planned 7"
