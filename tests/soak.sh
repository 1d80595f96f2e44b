#!/bin/sh
# tests/soak.sh - `make soak`: long randomized runs of the merge simulator.
#
#   sh tests/soak.sh [BUILD_DIR]
#
# Runs BUILD_DIR/tests/conflict/test_merge_sim (default build/) on random
# seeds for SOAK_SECONDS (default 600), from SOAK_SEED when set (the run is
# then repeatable), else from a random base seed that it prints first.  Each
# failing scenario is printed with its seed and the command that replays it
# step by step (--replay SEED).  The last line is "N passed, N failed" over
# the scenarios run; the exit status is non-zero when any failed.  Not part
# of `make check`, which runs the 10,000 fixed seeds.

set -u

build=${1:-build}
sim=$build/tests/conflict/test_merge_sim
seconds=${SOAK_SECONDS:-600}

if [ ! -x "$sim" ]; then
	echo "soak: no $sim (run 'make soak')" >&2
	exit 1
fi
case $seconds in
'' | *[!0-9]*)
	echo "soak: SOAK_SECONDS must be a number of seconds" >&2
	exit 2
	;;
esac

if [ -n "${SOAK_SEED:-}" ]; then
	exec "$sim" --soak "$seconds" --seed "$SOAK_SEED"
fi
exec "$sim" --soak "$seconds"
