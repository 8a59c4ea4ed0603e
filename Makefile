# The README's two commands: `make demo` (build, run the sample backfill against the embedded
# mock earn API, print where the report is) and `make test` (the whole test suite).
SWIFT ?= swift
BIN := .build/release/badge-import

.PHONY: demo test build release clean

# The sample holds a few deliberately bad rows (see README), so the run exits 1 by design;
# anything else (2: configuration, 3: aborted) fails the target.
demo: release
	@rm -f reports/demo.ledger reports/demo.ledger-wal reports/demo.ledger-shm reports/demo.ledger.lock
	@mkdir -p reports
	$(BIN) run --mock samples/backfill.csv samples/backfill.jsonl \
		--ledger reports/demo.ledger --report-dir reports/demo; status=$$?; [ $$status -le 1 ]

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

clean:
	rm -rf .build reports
