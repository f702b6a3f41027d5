# tests/libmsg.mk: libmsg unit and forked-process tests.
