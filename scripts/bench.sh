#!/usr/bin/env bash
# `make bench`: every benchmark section in turn; exits non-zero if any section fails.
# Each section is delimited by "# ---- <name> ----" / "# ---- end <name> ----" so teams can add theirs.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

# ---- lab ----
# 1,000 simulated BMCs: start time (target < 10 s) and one concurrent round of authenticated
# Redfish requests answered by every BMC. LAB_BENCH_BMCS overrides the count.
echo "== lab"
if ! dotnet run --project bench/Lab/Lab.Bench.csproj -c Release -- "${LAB_BENCH_BMCS:-1000}"; then
  echo "lab bench failed"; status=1
fi
# ---- end lab ----

exit $status
