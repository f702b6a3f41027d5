# tests/sd/local.mk: integration tests that run the real supervisord and
# drive it through supervisorctl and its event stream (tests/sd/harness.c).

if HAVE_CMOCKA
check_LTLIBRARIES += tests/sd/libharness.la
tests_sd_libharness_la_SOURCES = tests/sd/harness.c tests/sd/harness.h
tests_sd_libharness_la_CFLAGS = $(TEST_CFLAGS)
SD_LDADD = tests/sd/libharness.la libmsg/libmsg.la $(TEST_LIBS)
SD_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/tests/sd

check_PROGRAMS += tests/sd/test_sd_basic
tests_sd_test_sd_basic_SOURCES = tests/sd/test_sd_basic.c
tests_sd_test_sd_basic_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_basic_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_basic
endif

# Supervision rules (strategies, intensity, start, simple_one_for_one):
# sdchild is the worker whose exits and readiness the tests control.
if HAVE_CMOCKA
check_PROGRAMS += tests/sd/sdchild
tests_sd_sdchild_SOURCES = tests/sd/sdchild.c
tests_sd_sdchild_CFLAGS = $(AM_CFLAGS)
tests_sd_sdchild_LDADD = $(LIBBSD_LIBS)
SDC_SOURCES = tests/sd/sdcheck.c tests/sd/sdcheck.h

check_PROGRAMS += tests/sd/test_sd_strategies
tests_sd_test_sd_strategies_SOURCES = tests/sd/test_sd_strategies.c $(SDC_SOURCES)
tests_sd_test_sd_strategies_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_strategies_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_strategies

check_PROGRAMS += tests/sd/test_sd_intensity
tests_sd_test_sd_intensity_SOURCES = tests/sd/test_sd_intensity.c $(SDC_SOURCES)
tests_sd_test_sd_intensity_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_intensity_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_intensity

check_PROGRAMS += tests/sd/test_sd_start
tests_sd_test_sd_start_SOURCES = tests/sd/test_sd_start.c $(SDC_SOURCES)
tests_sd_test_sd_start_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_start_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_start

check_PROGRAMS += tests/sd/test_sd_simple
tests_sd_test_sd_simple_SOURCES = tests/sd/test_sd_simple.c $(SDC_SOURCES)
tests_sd_test_sd_simple_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_simple_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_simple
endif

# Reconnection by name and socket activation under supervision.
if HAVE_CMOCKA
check_PROGRAMS += tests/sd/test_sd_reconnect
tests_sd_test_sd_reconnect_SOURCES = tests/sd/test_sd_reconnect.c
tests_sd_test_sd_reconnect_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_reconnect_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_reconnect
endif

# supervisorctl's commands, reload, exit statuses (test_sd_control); what
# supervisord does to processes (test_sd_process). notifier speaks
# sd_notify, probe reports a child's inheritance.
if HAVE_CMOCKA
check_PROGRAMS += tests/sd/notifier tests/sd/probe
tests_sd_notifier_SOURCES = tests/sd/notifier.c
tests_sd_notifier_CFLAGS = $(AM_CFLAGS)
tests_sd_notifier_LDADD = $(LIBBSD_LIBS)
tests_sd_probe_SOURCES = tests/sd/probe.c
tests_sd_probe_CFLAGS = $(AM_CFLAGS)
tests_sd_probe_LDADD = $(LIBBSD_LIBS)
SDU_SOURCES = tests/sd/sdutil.c tests/sd/sdutil.h

check_PROGRAMS += tests/sd/test_sd_control
tests_sd_test_sd_control_SOURCES = tests/sd/test_sd_control.c $(SDU_SOURCES)
tests_sd_test_sd_control_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_control_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_control

check_PROGRAMS += tests/sd/test_sd_process
tests_sd_test_sd_process_SOURCES = tests/sd/test_sd_process.c $(SDU_SOURCES)
tests_sd_test_sd_process_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_process_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_process
endif
