# tests/integration/local.mk: black-box tests of the installed programs.
