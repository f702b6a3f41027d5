# tests/unit/local.mk: the unit tests (cmocka). test_libmsg, test_event and
# test_statem fork servers through one fixture (tests/unit/fixture.h).

if HAVE_CMOCKA
check_LTLIBRARIES += tests/unit/libfixture.la
tests_unit_libfixture_la_SOURCES = tests/unit/fixture.c tests/unit/fixture.h
tests_unit_libfixture_la_CFLAGS = $(TEST_CFLAGS)
FX_LIBS = tests/unit/libfixture.la libmsg/libmsg-internal.la $(TEST_LIBS)

# supervisord's configuration parser and tree.
check_PROGRAMS += tests/unit/test_config tests/unit/test_tree
TESTS += tests/unit/test_config tests/unit/test_tree
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisord
tests_unit_test_config_LDADD = supervisord/libsupd.la $(TEST_LIBS)
tests_unit_test_tree_SOURCES = tests/unit/test_tree.c
tests_unit_test_tree_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisord
tests_unit_test_tree_LDADD = supervisord/libsupd.la $(TEST_LIBS)
# supervisorctl plan's core, checked against the reload it predicts.
check_PROGRAMS += tests/unit/test_plan
TESTS += tests/unit/test_plan
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c
tests_unit_test_plan_CFLAGS = $(TEST_CFLAGS) -I$(top_srcdir)/supervisord
tests_unit_test_plan_LDADD = supervisord/libsupd.la $(TEST_LIBS)

# libmsg: framing, then real sockets (test_libmsg), the event manager
# behaviour (test_event), the state machine behaviour and the lightswitch
# worker (test_statem).
check_PROGRAMS += tests/unit/test_frame tests/unit/test_libmsg \
	tests/unit/test_event tests/unit/test_statem
TESTS += tests/unit/test_frame tests/unit/test_libmsg \
	tests/unit/test_event tests/unit/test_statem
tests_unit_test_frame_SOURCES = tests/unit/test_frame.c
tests_unit_test_frame_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_frame_LDADD = libmsg/libmsg-internal.la $(TEST_LIBS)
tests_unit_test_libmsg_SOURCES = tests/unit/test_libmsg.c
tests_unit_test_libmsg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_libmsg_LDADD = $(FX_LIBS)
tests_unit_test_event_SOURCES = tests/unit/test_event.c
tests_unit_test_event_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_event_LDADD = $(FX_LIBS)
tests_unit_test_statem_SOURCES = tests/unit/test_statem.c
tests_unit_test_statem_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_statem_LDADD = $(FX_LIBS)
endif
