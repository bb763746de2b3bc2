# audit-report: the two commands of the README are `make demo` and `make test`.
SWIFT ?= swift
PREFIX ?= /usr/local
MONTH ?= 2026-10
OUT ?= out
RELEASE_BIN = .build/release/audit-report

.PHONY: deps build release demo test install sample clean screenshots bench bench-instructions bench-collect fuzz

FUZZ_SECONDS ?= 600
FUZZ_TARGETS = FuzzCSV FuzzJSON FuzzTimestamp FuzzInput FuzzRules FuzzLanguage FuzzBody FuzzSIEMLine FuzzTwin FuzzDeflate FuzzSheetFile

# Coverage-guided fuzzing (libFuzzer) of the tokenizer, the JSON parser, the timestamp parser,
# the whole input path, the rules and language file loaders, the collect server's bodies, the tree-less SIEM
# line decoder against the general way, the streamed reading of a twin against the whole tree, the workbook's
# compression and libxlsxwriter's compressed temporary files, FUZZ_SECONDS each, starting from Tests/Fuzz/Corpus/<target>; inputs
# that reach new code are merged back into it (kept minimal), crashes go to
# .build-fuzz/crashes/ (turn each into a regression test). Swift's backtracer is turned off so that
# a failed check reaches libFuzzer, which writes the input that failed it.
fuzz: deps
	cd Tests/Fuzz && for t in $(FUZZ_TARGETS); do \
		swift build -c release --scratch-path ../../.build-fuzz -Xswiftc -sanitize=fuzzer --product $$t || exit 1; done
	mkdir -p .build-fuzz/crashes
	for t in $(FUZZ_TARGETS); do mkdir -p .build-fuzz/corpus/$$t; \
		SWIFT_BACKTRACE=enable=no .build-fuzz/release/$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=.build-fuzz/crashes/$$t- .build-fuzz/corpus/$$t Tests/Fuzz/Corpus/$$t || exit 1; \
		.build-fuzz/release/$$t -merge=1 -max_len=8192 Tests/Fuzz/Corpus/$$t .build-fuzz/corpus/$$t || exit 1; done

# Speed and memory against the floor and the Python route, then the collect server under load
# (not part of the tests; see bench/run.sh and bench/collect.sh).
bench:
	bench/run.sh
	bench/collect.sh

# The same jobs' work in instructions (callgrind, 100,000 events): what a change saves, which the
# machine's hour-to-hour noise hides in seconds (see bench/instructions.sh).
bench-instructions:
	bench/instructions.sh

# The collect server alone: accepted events per second and latency under 32 connections.
bench-collect:
	bench/collect.sh

# Screenshots of the sample month's HTML reports (PNG beside each), for looking at them.
screenshots: release
	$(RELEASE_BIN) report Examples/sample-$(MONTH).csv Examples/sample-$(MONTH)-siem.jsonl --month $(MONTH) --format html --output-dir $(OUT) --quiet
	$(RELEASE_BIN) report Examples/sample-$(MONTH)-de.csv Examples/sample-$(MONTH)-siem.jsonl --month $(MONTH) --language de \
		--time-zone Europe/Berlin --input-time-zone Europe/Berlin --format html --output-dir $(OUT) --quiet
	scripts/render-html.sh $(OUT)/*.html

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The monthly report of the bundled sample month, in English and in German.
demo: release
	@mkdir -p $(OUT)
	$(RELEASE_BIN) report Examples/sample-$(MONTH).csv Examples/sample-$(MONTH)-siem.jsonl Examples/opal-tickets-$(MONTH).csv \
		--month $(MONTH) --language en --time-zone UTC --output-dir $(OUT) --tickets $(OUT)/opal-tickets-$(MONTH)-en.csv \
		--reporter security@example.com --exceptions Examples/exceptions.json
	$(RELEASE_BIN) report Examples/sample-$(MONTH)-de.csv Examples/sample-$(MONTH)-siem.jsonl Examples/opal-tickets-$(MONTH).csv \
		--month $(MONTH) --language de --time-zone Europe/Berlin --input-time-zone Europe/Berlin \
		--csv-dialect excel-de --output-dir $(OUT) --tickets $(OUT)/opal-tickets-$(MONTH)-de.csv \
		--reporter security@example.com --exceptions Examples/exceptions.json

test:
	@scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	@# The sample's hostile titles must stay inert in a real browser: no script may run.
	rm -rf .build/html-check && .build/debug/audit-report report Examples/sample-$(MONTH).csv Examples/sample-$(MONTH)-siem.jsonl \
		--month $(MONTH) --format html --output-dir .build/html-check --quiet
	.build/debug/audit-report report Examples/sample-$(MONTH)-de.csv Examples/sample-$(MONTH)-siem.jsonl --month $(MONTH) \
		--language de --time-zone Europe/Berlin --input-time-zone Europe/Berlin --format html --output-dir .build/html-check --quiet
	scripts/render-html.sh .build/html-check/*.html
	@# The German sample workbook, printed through LibreOffice, keeps within its page budget.
	.build/debug/audit-report report Examples/sample-$(MONTH)-de.csv Examples/sample-$(MONTH)-siem.jsonl Examples/opal-tickets-$(MONTH).csv \
		--month $(MONTH) --language de --time-zone Europe/Berlin --input-time-zone Europe/Berlin --format xlsx --output-dir .build/html-check --quiet
	scripts/print-workbook.sh .build/html-check/audit-report-$(MONTH)-de.xlsx 160 36

# Regenerates the bundled sample (deterministic: the same files every time).
sample: release
	$(RELEASE_BIN) sample --month $(MONTH) --events 4000 --seed 7 --output-dir Examples
	$(RELEASE_BIN) sample --month $(MONTH) --events 4000 --seed 7 --csv-language de --output-dir Examples

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/audit-report
	install -m 755 $(RELEASE_BIN) $(DESTDIR)$(PREFIX)/bin/audit-report
	cp -R Locales Templates $(DESTDIR)$(PREFIX)/share/audit-report/

clean:
	rm -rf .build $(OUT)
