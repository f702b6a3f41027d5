# tests/bench/local.mk: make bench (figures, not tests).
#
# The benchmarks are EXTRA_PROGRAMS: neither `make all` nor `make check`
# builds them; `make bench` builds and runs every one, then prints a
# summary. Each figure is a ratio against a baseline measured in the same
# run. By default client and server are pinned to CPUs 0 and 1; bench_call
# runs a second time with both on CPU 0 (-s; lines marked /1cpu), where
# no cross-CPU wake-up hides the software's own cost. BENCH_FLAGS passes
# options to every program: -u (do not pin), -n N (iterations), -r ROUNDS.

BENCH_PROGS = tests/bench/bench_call tests/bench/bench_cast tests/bench/bench_mem
# Only this file defines EXTRA_PROGRAMS (automake wants '=' first).
EXTRA_PROGRAMS = $(BENCH_PROGS)
CLEANFILES += $(BENCH_PROGS) tests/bench/bench.log

BENCH_SRC = tests/bench/bench.c tests/bench/bench.h
BENCH_LIBS = libmsg/libmsg.la $(JANSSON_LIBS) $(LIBBSD_LIBS)
# -no-install: real binaries, not libtool wrappers, so perf and strace
# see the benchmark itself.
BENCH_LINK = $(AM_LDFLAGS) -no-install

tests_bench_bench_call_SOURCES = tests/bench/bench_call.c $(BENCH_SRC)
tests_bench_bench_call_LDADD = $(BENCH_LIBS)
tests_bench_bench_call_LDFLAGS = $(BENCH_LINK)

tests_bench_bench_cast_SOURCES = tests/bench/bench_cast.c $(BENCH_SRC)
tests_bench_bench_cast_LDADD = $(BENCH_LIBS)
tests_bench_bench_cast_LDFLAGS = $(BENCH_LINK)

tests_bench_bench_mem_SOURCES = tests/bench/bench_mem.c $(BENCH_SRC)
tests_bench_bench_mem_LDADD = $(BENCH_LIBS)
tests_bench_bench_mem_LDFLAGS = $(BENCH_LINK)

BENCH_FLAGS =

# make bench: every program in BENCH_PROGS, then these extra runs.
BENCH_EXTRA_RUNS = "tests/bench/bench_call -s"

# One program that does not build is reported, and the others still run.
bench:
	@$(MAKE) $(AM_MAKEFLAGS) -k $(BENCH_PROGS) || :; \
	log=tests/bench/bench.log; rm -f $$log; \
	for run in $(BENCH_PROGS) $(BENCH_EXTRA_RUNS); do \
	  echo "== $$run $(BENCH_FLAGS)"; \
	  if test ! -x "$${run%% *}$(EXEEXT)"; then \
	    echo "$$run: FAILED (exit 127: not built)" | tee -a $$log; continue; fi; \
	  { ./$$run $(BENCH_FLAGS) || echo "$$run: FAILED (exit $$?)"; } \
	    2>&1 | tee -a $$log; \
	done; \
	echo; echo "== make bench summary ($$(nproc 2>/dev/null || echo ?) CPUs," \
	  "load $$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"; \
	grep -E '(OK|MISS|\(no target\))$$' $$log; \
	if grep -q ': FAILED (exit' $$log; then \
	  echo "some benchmarks failed to run"; exit 1; fi; \
	echo "$$(grep -c ' OK$$' $$log) OK, $$(grep -c ' MISS$$' $$log) MISS"
.PHONY: bench

# bench_statem: lightswitch "state" against echo "echo", the workers
# themselves (so it needs them built); target >= 0.9x echo's calls/s.
BENCH_PROGS += tests/bench/bench_statem
tests_bench_bench_statem_SOURCES = tests/bench/bench_statem.c $(BENCH_SRC)
tests_bench_bench_statem_LDADD = $(BENCH_LIBS)
tests_bench_bench_statem_LDFLAGS = $(BENCH_LINK)
EXTRA_tests_bench_bench_statem_DEPENDENCIES = workers/lightswitch workers/echo
bench-statem: tests/bench/bench_statem
	./tests/bench/bench_statem $(BENCH_FLAGS)
.PHONY: bench-statem

# bench_fanout: one publisher, 100 subscribers, 64 B events through an
# event manager, against writing the same bytes to 100 sockets; target
# >= 0.7x the raw floor's events delivered per second.
BENCH_PROGS += tests/bench/bench_fanout
tests_bench_bench_fanout_SOURCES = tests/bench/bench_fanout.c $(BENCH_SRC)
tests_bench_bench_fanout_LDADD = $(BENCH_LIBS)
tests_bench_bench_fanout_LDFLAGS = $(BENCH_LINK)
bench-fanout: tests/bench/bench_fanout
	./tests/bench/bench_fanout $(BENCH_FLAGS)
.PHONY: bench-fanout

# bench_sd: supervisord against bare fork/exec loops: restart latency
# (median <= 1.5x, p99 <= 2 ms), 10,000 children (start <= 2x, VmRSS <=
# 16 MiB, no CPU and no system call while idle, status --json <= 100 ms),
# one_for_all of 1,000 (no target). bench_sd_child is the child it
# supervises, under supervisord and under the baselines.
BENCH_PROGS += tests/bench/bench_sd
EXTRA_PROGRAMS += tests/bench/bench_sd_child
CLEANFILES += tests/bench/bench_sd_child
tests_bench_bench_sd_SOURCES = tests/bench/bench_sd.c $(BENCH_SRC)
tests_bench_bench_sd_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tests_bench_bench_sd_LDADD = $(BENCH_LIBS)
tests_bench_bench_sd_LDFLAGS = $(BENCH_LINK)
EXTRA_tests_bench_bench_sd_DEPENDENCIES = tests/bench/bench_sd_child \
	supervisord/supervisord supervisord/supervisorctl
tests_bench_bench_sd_child_SOURCES = tests/bench/bench_sd_child.c
bench-sd: tests/bench/bench_sd
	./tests/bench/bench_sd $(BENCH_FLAGS)
.PHONY: bench-sd
