#!/usr/bin/env bash
# /provenance written by 3 ranks (the unit program checks on rank 0).
set -u
exec mpirun -np 3 "$RGX_BUILD/tests/test_provenance"
