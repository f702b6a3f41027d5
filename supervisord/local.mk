# supervisord/local.mk: the daemon's code as a convenience library that the
# daemon and the unit tests both link; supervisorctl speaks only libmsg.

noinst_LTLIBRARIES += supervisord/libsupd.la
supervisord_libsupd_la_SOURCES = \
	supervisord/config.c supervisord/config.h supervisord/config-int.h \
	supervisord/config-fields.c \
	supervisord/distance.c supervisord/distance.h \
	supervisord/jsonpos.c supervisord/jsonpos.h \
	supervisord/spec.c supervisord/spec.h \
	supervisord/specjson.c supervisord/specjson.h \
	supervisord/log.c supervisord/log.h \
	supervisord/spawn.c supervisord/spawn.h \
	supervisord/notifysock.c supervisord/notifysock.h \
	supervisord/events.c supervisord/events.h \
	supervisord/control.c supervisord/control.h supervisord/commands.c \
	supervisord/control-proto.h \
	supervisord/signame.c supervisord/signame.h \
	supervisord/rundir.c supervisord/daemon.h \
	supervisord/proc.c supervisord/proc.h \
	supervisord/waits.c supervisord/waits.h \
	supervisord/outcomes.c \
	supervisord/survivors.c supervisord/survivors.h \
	supervisord/tree.c supervisord/tree.h supervisord/tree-int.h \
	supervisord/holds.c supervisord/statefile.c supervisord/statefile.h \
	supervisord/plan.c supervisord/plan.h \
	supervisord/rules.c supervisord/reports.c supervisord/pidmap.c supervisord/pidmap.h \
	supervisord/significant.c \
	supervisord/runtime.c supervisord/runtime.h
# restart_delay: supervisord(8), Restart delay.
supervisord_libsupd_la_SOURCES += supervisord/delay.c
supervisord_libsupd_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
supervisord_libsupd_la_LIBADD = libmsg/libmsg-internal.la $(JANSSON_LIBS) \
	$(LIBBSD_LIBS)

bin_PROGRAMS += supervisord/supervisorctl
supervisord_supervisorctl_SOURCES = supervisord/supervisorctl.c \
	supervisord/control-proto.h supervisord/distance.c supervisord/distance.h
supervisord_supervisorctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
supervisord_supervisorctl_LDADD = libmsg/libmsg.la $(JANSSON_LIBS) \
	$(LIBBSD_LIBS)

sbin_PROGRAMS += supervisord/supervisord
supervisord_supervisord_SOURCES = supervisord/supervisord.c
supervisord_supervisord_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
supervisord_supervisord_LDADD = supervisord/libsupd.la $(JANSSON_LIBS) \
	$(LIBBSD_LIBS)
