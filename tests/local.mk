# tests/local.mk: unit tests (cmocka), integration tests, benchmarks.
# Every test speaks TAP; tests/tally totals the results.

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir;
EXTRA_DIST += tests/tally

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
TEST_LIBS = $(CMOCKA_LIBS) $(JANSSON_LIBS) $(LIBBSD_LIBS)

if HAVE_CMOCKA
# --- unit tests: supervisord ---
check_PROGRAMS += tests/unit/test_config
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisord
tests_unit_test_config_LDADD = supervisord/libsupd.la $(TEST_LIBS)
TESTS += tests/unit/test_config
check_PROGRAMS += tests/unit/test_tree
tests_unit_test_tree_SOURCES = tests/unit/test_tree.c
tests_unit_test_tree_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisord
tests_unit_test_tree_LDADD = supervisord/libsupd.la $(TEST_LIBS)
TESTS += tests/unit/test_tree
endif

# make test: every test, then one line "N passed, N failed".
test: all
	@$(MAKE) $(AM_MAKEFLAGS) -k check; st=$$?; \
	$(SHELL) $(top_srcdir)/tests/tally $(top_builddir); exit $$st
.PHONY: test

include tests/libmsg.mk
include tests/integration/local.mk
include tests/bench/local.mk
include tests/integration/foreign.mk
include tests/sd/local.mk
include tests/integration/eventmgr.mk
