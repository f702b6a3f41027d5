# tests/libmsg.mk: libmsg unit and forked-process tests.

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_frame tests/unit/test_libmsg

tests_unit_test_frame_SOURCES = tests/unit/test_frame.c
tests_unit_test_frame_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_frame_LDADD = libmsg/libmsg-internal.la $(TEST_LIBS)

tests_unit_test_libmsg_SOURCES = tests/unit/test_libmsg.c
tests_unit_test_libmsg_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_libmsg_LDADD = libmsg/libmsg-internal.la $(TEST_LIBS)

TESTS += tests/unit/test_frame tests/unit/test_libmsg
endif

# The state machine behaviour and the lightswitch worker (msg_statem(3)).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_statem
tests_unit_test_statem_SOURCES = tests/unit/test_statem.c
tests_unit_test_statem_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_statem_LDADD = libmsg/libmsg-internal.la $(TEST_LIBS)
TESTS += tests/unit/test_statem
endif

# The event manager behaviour (event.c): forked manager, real sockets.
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_event
tests_unit_test_event_SOURCES = tests/unit/test_event.c
tests_unit_test_event_CFLAGS = $(TEST_CFLAGS)
tests_unit_test_event_LDADD = libmsg/libmsg-internal.la $(TEST_LIBS)
TESTS += tests/unit/test_event
endif
