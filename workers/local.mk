# workers/local.mk: example actors, installed to the worker directory that
# supervisord searches after PATH.

workerdir_ = $(workerdir)
noinst_LTLIBRARIES += workers/libworker.la
workers_libworker_la_SOURCES = workers/worker.h workers/worker-args.c
workers_libworker_la_CFLAGS = $(AM_CFLAGS)

WORKER_LDADD = workers/libworker.la libmsg/libmsg.la $(JANSSON_LIBS) $(LIBBSD_LIBS)
WORKER_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)

worker_PROGRAMS += workers/counter workers/echo
workers_counter_SOURCES = workers/counter.c
workers_counter_CFLAGS = $(WORKER_CFLAGS)
workers_counter_LDADD = $(WORKER_LDADD)
workers_echo_SOURCES = workers/echo.c
workers_echo_CFLAGS = $(WORKER_CFLAGS)
workers_echo_LDADD = $(WORKER_LDADD)

worker_PROGRAMS += workers/lightswitch workers/eventmgr
workers_lightswitch_SOURCES = workers/lightswitch.c
workers_lightswitch_CFLAGS = $(WORKER_CFLAGS)
workers_lightswitch_LDADD = $(WORKER_LDADD)
workers_eventmgr_SOURCES = workers/eventmgr.c
workers_eventmgr_CFLAGS = $(WORKER_CFLAGS)
workers_eventmgr_LDADD = $(WORKER_LDADD)
