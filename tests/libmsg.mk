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
