# The README's two commands: `make demo` (build, run the sample backfill against the embedded
# mock earn API, print where the report is) and `make test` (the whole test suite).
SWIFT ?= swift
BIN := .build/release/badge-import

.PHONY: demo test build release clean

demo: release
	$(BIN) validate samples/backfill.csv samples/backfill.jsonl --report-dir reports/sample-validate || true

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

clean:
	rm -rf .build reports
