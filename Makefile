# The two commands: `make run` and `make test`. Both install what they need first.
.PHONY: run test bench prereqs build clean

run:
	@scripts/prereqs.sh run
	@scripts/run.sh

test:
	@scripts/prereqs.sh test
	@scripts/test.sh

bench:
	@scripts/prereqs.sh bench
	@scripts/bench.sh

build:
	dotnet build Portal.sln

clean:
	dotnet clean Portal.sln
	rm -rf .artifacts
