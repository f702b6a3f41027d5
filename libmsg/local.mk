# libmsg/local.mk: the library (shared and static, msg_* exported only),
# made of a convenience library that compiles each source once, and the
# msg CLI.

# Supervisord and the unit tests link this to reach msg__ internals.
noinst_LTLIBRARIES += libmsg/libmsg-internal.la
libmsg_libmsg_internal_la_SOURCES = \
	libmsg/msg.h libmsg/msg-int.h libmsg/server-int.h libmsg/client-int.h \
	libmsg/loop.c libmsg/frame.c libmsg/buf.c libmsg/util.c \
	libmsg/rundir.c libmsg/notify.c libmsg/listen.c libmsg/server.c \
	libmsg/admit.c libmsg/pubsub.c libmsg/client.c libmsg/clientq.c libmsg/actor.c \
	libmsg/json.c libmsg/statem.c libmsg/event.c
libmsg_libmsg_internal_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
libmsg_libmsg_internal_la_LIBADD = $(JANSSON_LIBS) $(LIBBSD_LIBS)

# The same objects; its version script hides all but msg_*.
lib_LTLIBRARIES += libmsg/libmsg.la
libmsg_libmsg_la_SOURCES =
libmsg_libmsg_la_LIBADD = libmsg/libmsg-internal.la
libmsg_libmsg_la_LDFLAGS = $(AM_LDFLAGS) -version-info 0:0:0 \
	-Wl,--version-script=$(srcdir)/libmsg/libmsg.sym
EXTRA_DIST += libmsg/libmsg.sym
EXTRA_libmsg_libmsg_la_DEPENDENCIES = libmsg/libmsg.sym
include_HEADERS += libmsg/msg.h

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = libmsg/libmsg.pc

bin_PROGRAMS += libmsg/msg
libmsg_msg_SOURCES = libmsg/msg-cli.c
libmsg_msg_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
libmsg_msg_LDADD = libmsg/libmsg.la $(JANSSON_LIBS) $(LIBBSD_LIBS)
# msg(1)'s "did you mean": the edit distance supervisorctl uses.
libmsg_msg_SOURCES += supervisord/distance.c supervisord/distance.h
libmsg_msg_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/supervisord
