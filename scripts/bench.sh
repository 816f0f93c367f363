#!/usr/bin/env bash
# `make bench`: every benchmark section in turn; exits non-zero if any section fails.
# Each section is delimited by "# ---- <name> ----" / "# ---- end <name> ----" so teams can add theirs.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

# Benchmarks that need a database share one private PostgreSQL (TestPostgres reads this variable).
if [[ -z "${PORTAL_TEST_POSTGRES:-}" ]]; then
  PORTAL_TEST_POSTGRES=$(PG_FSYNC=off scripts/postgres.sh start .data/bench-postgres) || exit 1
  export PORTAL_TEST_POSTGRES
  trap 'scripts/postgres.sh stop .data/bench-postgres' EXIT
fi

# ---- lab ----
# 1,000 simulated BMCs: start time (target < 10 s) and one concurrent round of authenticated
# Redfish requests answered by every BMC. LAB_BENCH_BMCS overrides the count.
# Then 1,000 lab machines provisioned at once through the real Portal (admission limit 100; queued
# runs look for a slot every 10 s rather than the default 2 s, since each look is a Quartz trigger and
# Quartz's trigger lock is the bottleneck at this size), each netbooting and installing by itself with
# the lab's simulated firmware (installer pace 100 ms): wall time, peak runs going at once, how many
# reached Deployed, errors. Target: all Deployed, 0 errors. LAB_BENCH_DEPLOYMENTS, LAB_BENCH_LIMIT,
# LAB_BENCH_QUEUE_POLL_MS and LAB_BENCH_INSTALLER_PACE_MS override them (0 deployments skips the run).
echo "== lab"
if ! dotnet run --project bench/Lab/Lab.Bench.csproj -c Release -- "${LAB_BENCH_BMCS:-1000}" "${LAB_BENCH_DEPLOYMENTS:-1000}" \
    "${LAB_BENCH_LIMIT:-100}" "${LAB_BENCH_QUEUE_POLL_MS:-10000}" "${LAB_BENCH_INSTALLER_PACE_MS:-100}"; then
  echo "lab bench failed"; status=1
fi
# ---- end lab ----

# ---- discovery ----
# 500 lab BMCs with 20 ms added per request: full discovery + inventory into a fresh database.
# Prints wall time, requests, ideal time (requests × latency ÷ global limit) and the ratio.
echo "== discovery"
if ! dotnet run --project bench/Discovery/Discovery.Bench.csproj -c Release -- "${DISCOVERY_BENCH_BMCS:-500}" "${DISCOVERY_BENCH_LATENCY_MS:-20}"; then
  echo "discovery bench failed"; status=1
fi
# ---- end discovery ----

# ---- netboot ----
# 10,000 machines in the database: wrk (64 connections) against the per-machine script endpoint
# next to nginx serving a static file of the same size, both printed with the ratio and p99; then boot
# storms of provisioning machines fetching bootstrap + script + config at once: 2,000 (target p99 per
# machine <= 3 s) and 10,000 more (target p99 <= 10 s), each with 0 errors and every timeline complete,
# printing database round trips per fetch; fails on a miss. NETBOOT_BENCH_BIG_STORM=0 skips the second.
echo "== netboot"
if ! dotnet run --project bench/Netboot/Netboot.Bench.csproj -c Release -- "${NETBOOT_BENCH_MACHINES:-10000}" "${NETBOOT_BENCH_STORM:-2000}" "${NETBOOT_BENCH_SECONDS:-10}" "${NETBOOT_BENCH_BIG_STORM:-10000}"; then
  echo "netboot bench failed (or missed a target)"; status=1
fi
# ---- end netboot ----

# ---- catalogue ----
# 50,000 machines of varied hardware in a fresh database: p50/p95 of the catalogue query
# (filter + sort + page + facets), steady (target p95 <= 50 ms) and with a machine changed before every
# search (facet counts brought up to date from the changes of migration 0020, not recounted); then 20 s
# with 8 concurrent searchers while one machine changes every 100 ms: query p95 <= 30 ms and page p95
# <= 60 ms (page: a context from the factory + the search, as the catalogue page does per view), with
# the number of full facet counts meanwhile. Fails on a miss. CATALOGUE_BENCH_MACHINES overrides the
# count; CATALOGUE_BENCH_KEEP=1 keeps the seeded database for EXPLAIN.
echo "== catalogue"
if ! dotnet run --project bench/Catalogue/Catalogue.Bench.csproj -c Release -- "${CATALOGUE_BENCH_MACHINES:-50000}"; then
  echo "catalogue bench failed (or missed its target)"; status=1
fi
# ---- end catalogue ----

# ---- ui ----
# The real Portal in the bench process, the catalogue's 50,000 machines, one Debian Chromium with
# 50 signed-in browser contexts each on /machines (one circuit each): managed memory per circuit
# (server heap with 0 and with 50 circuits, after a warm-up round of 50 that grows the shared buffer pools; target <= 2 MB) and 200 filter changes (tag facet
# clicks, round-robin over the tabs): server time p50/p95 from Blazor's event-duration histogram
# (query + render; target p95 <= 150 ms) and the browser's click-to-rows time. Prints PASS/MISS
# and fails on a MISS or an error. UI_BENCH_PROFILE=1 adds renders per change by component type. UI_BENCH_MACHINES / UI_BENCH_CIRCUITS / UI_BENCH_CHANGES override the sizes.
echo "== ui"
if ! dotnet run --project bench/Ui/Ui.Bench.csproj -c Release -- "${UI_BENCH_MACHINES:-50000}" "${UI_BENCH_CIRCUITS:-50}" "${UI_BENCH_CHANGES:-200}"; then
  echo "ui bench failed (or missed a target)"; status=1
fi
# ---- end ui ----

# ---- provisioning ----
# 20 concurrent deployments of lab machines netbooting with the lab's simulated firmware and
# installer (no VMs), through the real Portal host; admission limit 8. Prints wall time and the peak number of runs going at once.
echo "== provisioning"
if ! dotnet run --project bench/Provisioning/Provisioning.Bench.csproj -c Release -- "${PROVISIONING_BENCH_DEPLOYMENTS:-20}" "${PROVISIONING_BENCH_LIMIT:-8}"; then
  echo "provisioning bench failed"; status=1
fi
# ---- end provisioning ----

# ---- bmc ----
# 500 lab BMCs (single-system profiles; dell, lenovo, gigabyte offer the Redfish event stream, hpe and
# supermicro do not) onboarded into the real Portal, then at rest for 10 minutes (warm-up not counted):
# requests per BMC per hour with events (target <= 15) and without (<= 130), sessions created per BMC
# per hour (<= 1); then power changed through the lab's control API on 20 machines of each kind at once:
# slowest to show in the Portal with events (<= 2 s) and without (<= one poll interval, 30 s).
# BMC_BENCH_BMCS, BMC_BENCH_MINUTES and BMC_BENCH_CHANGES override them.
echo "== bmc"
if ! dotnet run --project bench/Bmc/Bmc.Bench.csproj -c Release -- "${BMC_BENCH_BMCS:-500}" "${BMC_BENCH_MINUTES:-10}" "${BMC_BENCH_CHANGES:-20}"; then
  echo "bmc bench failed (or missed a target)"; status=1
fi
# ---- end bmc ----

exit $status
