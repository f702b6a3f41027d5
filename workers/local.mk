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
