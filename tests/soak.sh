#!/bin/sh
# tests/soak.sh - `make soak`: long randomized runs of the merge simulator,
# after 10,000 fixed seeds of the sync simulator.
#
#   sh tests/soak.sh [BUILD_DIR]
#
# First BUILD_DIR/tests/sync/test_sync_sim on seeds 0..SYNC_SIM_SEEDS-1
# (default 10,000: make check runs only the first few hundred, a seed
# costing tens of milliseconds of real sync), a line per failing seed.
# Then:
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

syncsim=$build/tests/sync/test_sync_sim
sync_rc=0
if [ -x "$syncsim" ]; then
	"$syncsim" --seeds 0 "${SYNC_SIM_SEEDS:-10000}" || sync_rc=1
else
	echo "soak: no $syncsim" >&2
	sync_rc=1
fi

if [ -n "${SOAK_SEED:-}" ]; then
	"$sim" --soak "$seconds" --seed "$SOAK_SEED" || exit 1
	exit $sync_rc
fi
"$sim" --soak "$seconds" || exit 1
exit $sync_rc
