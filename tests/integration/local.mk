# tests/integration/local.mk: black-box tests of the installed programs,
# shell scripts that print TAP with tests/integration/tap.sh: msg(1)
# against the example workers (msg-cli.sh), the eventmgr worker driven by
# msg(1) (eventmgr.sh), a client written from libmsg(7) alone
# (foreign-client.sh), and the example trees in conf/, the container
# entrypoint run for real (examples.sh).

# Helpers: a NOTIFY_SOCKET that reports READY=1, an actor that never answers.
check_PROGRAMS += tests/integration/notify-wait tests/integration/stall
tests_integration_notify_wait_SOURCES = tests/integration/notify-wait.c
tests_integration_stall_SOURCES = tests/integration/stall.c
tests_integration_stall_LDADD = libmsg/libmsg.la $(JANSSON_LIBS) $(LIBBSD_LIBS)

INTEGRATION_TESTS = tests/integration/msg-cli.sh \
	tests/integration/eventmgr.sh tests/integration/foreign-client.sh \
	tests/integration/examples.sh
TESTS += $(INTEGRATION_TESTS)
EXTRA_DIST += $(INTEGRATION_TESTS) tests/integration/tap.sh \
	tests/integration/pyclient.py

# make install DESTDIR=...: the installed files, default tree and demo
# (install.sh).
TESTS += tests/integration/install.sh
EXTRA_DIST += tests/integration/install.sh

# Background mode under a pseudo-terminal: the terminal line, the log
# file, -p, a second daemon refused (background.sh).
TESTS += tests/integration/background.sh
EXTRA_DIST += tests/integration/background.sh

# libmsg as a user outside the tree builds against it: installed with
# DESTDIR, built with the lines libmsg(3) LIBRARY shows (pkgconfig.sh).
TESTS += tests/integration/pkgconfig.sh
EXTRA_DIST += tests/integration/pkgconfig.sh

# pid1: supervisord as process 1 of a pid namespace, as in a container
# (contrib/Containerfile): reaping, signals. Skipped without root or
# unshare. In TESTS and EXTRA_DIST through INTEGRATION_TESTS.
INTEGRATION_TESTS += tests/integration/pid1.sh
