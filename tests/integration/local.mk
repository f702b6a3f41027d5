# tests/integration/local.mk: black-box tests of the installed programs.

# Helpers: a NOTIFY_SOCKET that reports READY=1, an actor that never answers.
check_PROGRAMS += tests/integration/notify-wait tests/integration/stall
tests_integration_notify_wait_SOURCES = tests/integration/notify-wait.c
tests_integration_notify_wait_CFLAGS = $(AM_CFLAGS)
tests_integration_stall_SOURCES = tests/integration/stall.c
tests_integration_stall_CFLAGS = $(AM_CFLAGS)
tests_integration_stall_LDADD = libmsg/libmsg.la $(JANSSON_LIBS) $(LIBBSD_LIBS)

TESTS += tests/integration/msg-cli.sh
EXTRA_DIST += tests/integration/msg-cli.sh
