# tests/bench/local.mk: make bench (figures, not tests).
