#!/usr/bin/env bash
# `make test`: every test project against a private PostgreSQL, then one summary line
# "N passed, N failed, N skipped" summed over all projects. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
results=.artifacts/test-results
rm -rf "$results"; mkdir -p "$results" .data

if [[ -z "${PORTAL_TEST_POSTGRES:-}" ]]; then
  PORTAL_TEST_POSTGRES=$(PG_FSYNC=off scripts/postgres.sh start .data/test-postgres) || exit 1
  export PORTAL_TEST_POSTGRES
  trap 'scripts/postgres.sh stop .data/test-postgres' EXIT
fi

dotnet build Portal.sln --nologo --verbosity quiet || { echo "0 passed, 1 failed"; exit 1; }

projects=(${TEST_PROJECTS:-Core.Tests Lab.Tests Netboot.Tests Portal.Tests Cli.Tests EndToEnd})
for p in "${projects[@]}"; do
  echo "== $p"
  dotnet test "tests/$p/$p.csproj" --no-build --nologo --verbosity quiet \
    --logger "trx;LogFileName=$p.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results" ${TEST_FILTER:+--filter "$TEST_FILTER"} 2>&1 \
    | grep -vE '^\{"Timestamp"' || true
  [[ -f "$results/$p.trx" ]] || echo "$p produced no results (crashed or did not build)" > "$results/$p.missing"
done

python3 - "$results" <<'PY'
import glob, os, re, sys
d = sys.argv[1]; passed = failed = skipped = 0
for f in glob.glob(os.path.join(d, "*.trx")):
    c = re.search(r"<Counters ([^>]*)/>", open(f, encoding="utf-8").read())
    a = dict(re.findall(r'(\w+)="(\d+)"', c.group(1))) if c else {}
    p, t, e = int(a.get("passed", 0)), int(a.get("total", 0)), int(a.get("executed", 0))
    passed += p; failed += t - p - (t - e) if c else 1; skipped += t - e
failed += len(glob.glob(os.path.join(d, "*.missing")))
# Name every failed test (with the first line of its message) just above the summary, so a
# log cut to its last lines still says which test failed.
for f in sorted(glob.glob(os.path.join(d, "*.trx"))):
    text = open(f, encoding="utf-8").read()
    for m in re.finditer(r'<UnitTestResult [^>]*testName="([^"]*)"[^>]*outcome="Failed"[^>]*>(.*?)</UnitTestResult>', text, re.S):
        msg = re.search(r"<Message>(.*?)</Message>", m.group(2), re.S)
        first = msg.group(1).strip().splitlines()[0][:300] if msg else ""
        print(f"failed: {os.path.basename(f)[:-4]}: {m.group(1)}: {first}")
for f in glob.glob(os.path.join(d, "*.missing")):
    print("failed: " + open(f, encoding="utf-8").read().strip())
line = f"{passed} passed, {failed} failed, {skipped} skipped"
open(os.path.join(d, "summary.txt"), "w").write(line + "\n")
print(line)
sys.exit(1 if failed else 0)
PY
