#!/usr/bin/env bash
# The run-file writer with 3 ranks: rows from each rank in rank order, scattered rows,
# strings, attributes, atomic rename (the unit program checks and prints TAP on rank 0).
set -u
exec mpirun -np 3 "$RGX_BUILD/tests/test_h5out"
