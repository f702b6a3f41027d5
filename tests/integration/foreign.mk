# tests/integration/foreign.mk: a client written from libmsg(7) alone.
TESTS += tests/integration/foreign-client.sh
EXTRA_DIST += tests/integration/foreign-client.sh tests/integration/pyclient.py
