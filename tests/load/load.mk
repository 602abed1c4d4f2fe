# The load generator (tests/load/*.c) is built by its own rules here.
