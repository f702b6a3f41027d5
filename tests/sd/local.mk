# tests/sd/local.mk: integration tests that run the real supervisord and
# drive it through supervisorctl and its event stream (tests/sd/harness.c).

if HAVE_CMOCKA
check_LTLIBRARIES = tests/sd/libharness.la
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

# Reconnection by name and socket activation under supervision.
if HAVE_CMOCKA
check_PROGRAMS += tests/sd/test_sd_reconnect
tests_sd_test_sd_reconnect_SOURCES = tests/sd/test_sd_reconnect.c
tests_sd_test_sd_reconnect_CFLAGS = $(SD_CFLAGS)
tests_sd_test_sd_reconnect_LDADD = $(SD_LDADD)
TESTS += tests/sd/test_sd_reconnect
endif
