# tests/local.mk: unit tests (cmocka), integration tests, benchmarks.
# Every test speaks TAP; tests/tally totals the results.

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir;
EXTRA_DIST += tests/tally

TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(JANSSON_CFLAGS)
TEST_LIBS = $(CMOCKA_LIBS) $(JANSSON_LIBS) $(LIBBSD_LIBS)
# The test helper libraries (tests/unit, tests/sd).
check_LTLIBRARIES =

# make test: every test, then one line "N passed, N failed".
test: all
	@$(MAKE) $(AM_MAKEFLAGS) -k check; st=$$?; \
	$(SHELL) $(top_srcdir)/tests/tally $(top_builddir); exit $$st
.PHONY: test

include tests/unit/local.mk
include tests/integration/local.mk
include tests/bench/local.mk
include tests/sd/local.mk
