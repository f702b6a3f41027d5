# tests/integration/foreign.mk: a client written from libmsg(7) alone.
