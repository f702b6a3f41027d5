#!/bin/bash
# pkgconfig.sh: libmsg as a user outside the tree gets it. The library,
# msg.h and libmsg.pc are installed with DESTDIR into a scratch
# directory, and the .pc's prefix is moved there, so it is what
# `./configure --prefix=P && make install` would have left in P. A
# worker that calls msg_call_json and jansson itself is then built with
# the lines libmsg(3) LIBRARY shows (PKG_CONFIG_PATH, pkg-config, an
# rpath or LD_LIBRARY_PATH) and calls the echo worker. Prints TAP.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
NW=$top_builddir/tests/integration/notify-wait
ECHO=$top_builddir/workers/echo
BOUND=10000
CC=${CC:-cc}

tmp=$(mktemp -d /tmp/pkgconfig.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
. "$(dirname "$0")/tap.sh"
guard 120

command -v pkg-config >/dev/null 2>&1 || { echo "1..0 # SKIP no pkg-config"; exit 0; }
command -v "$CC" >/dev/null 2>&1 || { echo "1..0 # SKIP no $CC"; exit 0; }

echo "1..8"

# What configure chose; a sanitizer build's library needs the runtime.
mkvar() {
	sed -n "s/^$1 = //p" "$top_builddir/Makefile"
}
old_prefix=$(mkvar prefix)
san=$(mkvar SAN_LDFLAGS)

# Only the three install targets: quick, and nothing else is touched.
unset MAKEFLAGS MFLAGS
dest=$tmp/dest
run make -s -C "$top_builddir" DESTDIR="$dest" install-libLTLIBRARIES \
    install-includeHEADERS install-pkgconfigDATA
P=$dest$old_prefix
pc=$(find "$dest" -name libmsg.pc)
if [ "$st" -eq 0 ] && [ -n "$pc" ] && [ -f "$(dirname "$(dirname "$pc")")/libmsg.so" ]; then
	ok "libmsg, msg.h and libmsg.pc install"
else
	not_ok "libmsg, msg.h and libmsg.pc install" "status $st" "$err" \
	    "$(find "$dest" 2>&1)"
	exit 1
fi
# Every path in the .pc that began with the prefix now begins with P.
sed -i "s|=$old_prefix|=$P|" "$pc"
export PKG_CONFIG_PATH=$(dirname "$pc")
libdir=$(pkg-config --variable=libdir libmsg)

run pkg-config --print-requires libmsg
expect "libmsg.pc: jansson in Requires" 0 "jansson"
run pkg-config --print-requires-private libmsg
expect "libmsg.pc: nothing in Requires.private" 0 ""

cat >"$tmp/worker.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <msg.h>

int
main(void)
{
	struct msg_client *c;
	json_t *arg, *reply = NULL;
	char *s;
	int st;

	if ((c = msg_connect("echo", 5000)) == NULL) {
		perror("msg_connect echo");
		return 1;
	}
	arg = json_pack("{s:i, s:[s]}", "n", 42, "l", "x");
	st = msg_call_json(c, msg_tag("echo"), arg, 5000, &reply);
	json_decref(arg);
	msg_close(c);
	if (st != MSG_OK || reply == NULL) {
		fprintf(stderr, "call: %s\n", msg_strerror(st));
		return 1;
	}
	s = json_dumps(reply, JSON_COMPACT | JSON_SORT_KEYS);
	printf("%s %lld\n", s, (long long)json_integer_value(
	    json_object_get(reply, "n")));
	free(s);
	json_decref(reply);
	return 0;
}
EOF

export MSG_RUNDIR=$tmp/run
unset NOTIFY_SOCKET
if start_worker echo "$ECHO"; then
	ok "echo says READY=1"
else
	not_ok "echo says READY=1" "$(cat "$tmp/echo.log" 2>/dev/null)"
fi

cd "$tmp" || exit 1
# The documented lines, word for word ($san is empty unless sanitized).
run $CC $san worker.c $(pkg-config --cflags --libs libmsg) \
    -Wl,-rpath,"$libdir" -o worker-rpath
expect "cc worker.c \$(pkg-config --cflags --libs libmsg) -Wl,-rpath,LIBDIR" 0 ""
run ./worker-rpath
expect "... runs: msg_call_json through the installed libmsg" 0 \
    '{"l":["x"],"n":42} 42'
run $CC $san worker.c $(pkg-config --cflags --libs libmsg) -o worker
run env LD_LIBRARY_PATH="$libdir" ./worker
expect "without an rpath, with LD_LIBRARY_PATH=LIBDIR" 0 \
    '{"l":["x"],"n":42} 42'
cd / || exit 1
stop_worker echo
exit $((failed > 0))
