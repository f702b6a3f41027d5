# tests/integration/eventmgr.mk: the eventmgr worker driven by msg(1)
# (msg sub, msg pub, msg pub --sync, msg call stats).
TESTS += tests/integration/eventmgr.sh
EXTRA_DIST += tests/integration/eventmgr.sh
