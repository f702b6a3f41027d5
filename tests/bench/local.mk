# tests/bench/local.mk: make bench (figures, not tests).
#
# The benchmarks are EXTRA_PROGRAMS: neither `make all` nor `make check`
# builds them; `make bench` builds and runs every one, then prints a
# summary. Each figure is a ratio against a baseline measured in the same
# run. BENCH_FLAGS passes options to every program: -u (do not pin client
# and server to CPUs 0 and 1), -n N (iterations), -r ROUNDS.

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

bench: $(BENCH_PROGS)
	@log=tests/bench/bench.log; rm -f $$log; \
	for p in $(BENCH_PROGS); do \
	  echo "== $$p $(BENCH_FLAGS)"; \
	  { ./$$p $(BENCH_FLAGS) || echo "$$p: FAILED (exit $$?)"; } 2>&1 \
	    | tee -a $$log; \
	done; \
	echo; echo "== make bench summary ($$(nproc 2>/dev/null || echo ?) CPUs)"; \
	grep -E '^(call|cast|mem) ' $$log; \
	if grep -q ': FAILED (exit' $$log; then \
	  echo "some benchmarks failed to run"; exit 1; fi; \
	echo "$$(grep -c ' OK$$' $$log) OK, $$(grep -c ' MISS$$' $$log) MISS"
.PHONY: bench
