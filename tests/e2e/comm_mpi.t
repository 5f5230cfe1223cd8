#!/usr/bin/env bash
# comm_log_failure with 22 ranks (a trivial program: oversubscribed, a second or two): one line
# per distinct failure, naming the ranks ("ranks 0-2, 5", more than 10 runs cut to a count),
# the bystanders left out (the unit program checks and prints TAP on rank 0).
set -u
exec mpirun -np 22 "$RGX_BUILD/tests/test_comm"
