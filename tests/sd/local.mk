# tests/sd/local.mk: integration tests that run the real supervisord and
# drive it through supervisorctl and its event stream, all with one
# helper library (tests/sd/sdtest.h).
#
# The helper programs: sdchild is the worker whose exits and readiness
# the supervision tests control, notifier speaks sd_notify, probe reports
# a child's inheritance.

if HAVE_CMOCKA
check_LTLIBRARIES += tests/sd/libsdtest.la
tests_sd_libsdtest_la_SOURCES = tests/sd/sdtest.c tests/sd/sdproc.c \
	tests/sd/sdtest.h
tests_sd_libsdtest_la_CFLAGS = $(TEST_CFLAGS)
SD_LDADD = tests/sd/libsdtest.la libmsg/libmsg.la $(TEST_LIBS)

check_PROGRAMS += tests/sd/sdchild tests/sd/notifier tests/sd/probe
tests_sd_sdchild_SOURCES = tests/sd/sdchild.c
tests_sd_sdchild_LDADD = $(LIBBSD_LIBS)
tests_sd_notifier_SOURCES = tests/sd/notifier.c
tests_sd_notifier_LDADD = $(LIBBSD_LIBS)
tests_sd_probe_SOURCES = tests/sd/probe.c
tests_sd_probe_LDADD = $(LIBBSD_LIBS)

# basic: the daemon's life; strategies, intensity, start, simple: the
# supervision rules; reconnect: reconnection by name and socket
# activation; control: supervisorctl's commands, reload, exit statuses;
# process: what supervisord does to processes; defects: what bad children,
# clients and a SIGKILL must not do to it; state: operator stops kept
# across restarts of supervisord, autostart.
SD_TESTS = tests/sd/test_sd_basic tests/sd/test_sd_strategies \
	tests/sd/test_sd_intensity tests/sd/test_sd_start \
	tests/sd/test_sd_simple tests/sd/test_sd_reconnect \
	tests/sd/test_sd_control tests/sd/test_sd_process \
	tests/sd/test_sd_defects tests/sd/test_sd_state
# spec, plan: supervisorctl's views of the tree's specs and of a reload.
SD_TESTS += tests/sd/test_sd_spec tests/sd/test_sd_plan
# significant: run-once steps and auto_shutdown, supervisord's exit status
# from its significant child.
SD_TESTS += tests/sd/test_sd_significant
# waits: commands that wait for their outcome.
SD_TESTS += tests/sd/test_sd_waits
check_PROGRAMS += $(SD_TESTS)
TESTS += $(SD_TESTS)
# Each is built from its .c (automake's default) and the library.
tests_sd_test_sd_basic_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_basic_LDADD = $(SD_LDADD)
tests_sd_test_sd_strategies_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_strategies_LDADD = $(SD_LDADD)
tests_sd_test_sd_intensity_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_intensity_LDADD = $(SD_LDADD)
tests_sd_test_sd_start_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_start_LDADD = $(SD_LDADD)
tests_sd_test_sd_simple_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_simple_LDADD = $(SD_LDADD)
tests_sd_test_sd_reconnect_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_reconnect_LDADD = $(SD_LDADD)
tests_sd_test_sd_control_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_control_LDADD = $(SD_LDADD)
tests_sd_test_sd_process_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_process_LDADD = $(SD_LDADD)
tests_sd_test_sd_defects_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_defects_LDADD = $(SD_LDADD)
tests_sd_test_sd_state_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_state_LDADD = $(SD_LDADD)
tests_sd_test_sd_spec_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_spec_LDADD = $(SD_LDADD)
tests_sd_test_sd_plan_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_plan_LDADD = $(SD_LDADD)
tests_sd_test_sd_significant_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_significant_LDADD = $(SD_LDADD)

# delay: restart_delay (the wait, its event and status, backoff).
SD_TESTS += tests/sd/test_sd_delay
tests_sd_test_sd_delay_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_delay_LDADD = $(SD_LDADD)
tests_sd_test_sd_waits_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_waits_LDADD = $(SD_LDADD)

# cli: what supervisorctl says (already running/stopped, reload's plan,
# number precision).
SD_TESTS += tests/sd/test_sd_cli
tests_sd_test_sd_cli_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_cli_LDADD = $(SD_LDADD)
endif

# services: real Debian services (redis-server, nginx) and a daemon that
# forks, run the way supervisord(8) documents; each test skips when its
# program is not installed.
if HAVE_CMOCKA
SD_TESTS += tests/sd/test_sd_services
tests_sd_test_sd_services_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_services_LDADD = $(SD_LDADD)

# ready: supervisorctl ready, a container's readiness probe.
SD_TESTS += tests/sd/test_sd_ready
tests_sd_test_sd_ready_CFLAGS = $(TEST_CFLAGS)
tests_sd_test_sd_ready_LDADD = $(SD_LDADD)
endif
