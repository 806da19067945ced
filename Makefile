# FuseLab: the two commands that do everything on a fresh Debian 12 machine.
#   make run   installs what is missing, builds, and runs FuseLab on its built-in demo
#   make test  the same set-up, then the whole test suite
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test screenshots clean fuzz-build fuzz-smoke fuzz-campaign fuzz-long test-asan test-tsan test-asan-all test-tsan-all asan-configure tsan-configure test-headless

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) --log-level=WARNING >/dev/null

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The desktop app on the built-in demo dataset (a concat experiment drawn over it).
run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no display here (DISPLAY is not set), so the FuseLab window cannot open."; \
	  echo "Run it in a virtual screen instead:"; \
	  echo "  xvfb-run -a -s '-screen 0 1920x1080x24' $(BUILD_DIR)/bin/fuselab"; \
	  echo "or use the engine from the command line: $(BUILD_DIR)/bin/fuselab-cli --help"; \
	else \
	  $(BUILD_DIR)/bin/fuselab; \
	fi

# docs/screenshots: the main window with the demo, the dataset panel and a fusion graph, in
# English and Chinese, at 1920x1080 and 1280x720 (Fusion style, rendered offscreen at DPR 1).
screenshots: build
	@for lang in en zh_CN; do \
	  QT_QPA_PLATFORM=offscreen QT_SCALE_FACTOR=1 $(BUILD_DIR)/bin/fuselab --screenshots docs/screenshots --language $$lang 2>/dev/null || exit 1; \
	done
	@ls docs/screenshots

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Hardening (docs/reliability.md). Sanitizer builds of the engine and its tests.
#   test-asan / test-tsan        what CI runs at every stop: ASan + UBSan over the parsers' and
#                                the cache's tests, TSan over the parallel decode and the cache
#   test-asan-all / test-tsan-all  ASan + UBSan over every engine test (training, export, faults,
#                                lessons, distributed), TSan over every test that runs FuseLab's
#                                threads, the GUI's training worker included (builds the whole
#                                engine, and for TSan the widgets, with the sanitizer: long cold)
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
ASAN_TESTS = test_csv test_split test_parallel_for test_metrics test_manifest test_folder_tree test_idx test_image test_audio test_mel test_text test_cache
ASAN_ALL_TESTS = $(ASAN_TESTS) test_inspect test_blocks test_graph test_graph_model test_train_steps test_defaults \
  test_training test_export test_faults test_lesson test_distributed test_onnx
TSAN_TESTS = test_parallel_for test_cache
# Not test_distributed: its only threads are LibTorch's (c10d, Gloo), uninstrumented, so TSan
# reports their hand-overs (exceptions, teardown) and nothing of FuseLab's.
TSAN_ALL_TESTS = $(TSAN_TESTS) test_training test_dataset_panel test_training_dock test_lesson_window
empty :=
space := $(empty) $(empty)
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OMP_NUM_THREADS=1 \
  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
TSAN_ENV = TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1 die_after_fork=0 history_size=7" OMP_NUM_THREADS=1
asan-configure: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUSELAB_SANITIZE=address,undefined -DFUSELAB_BUILD_BENCH=OFF --log-level=WARNING >/dev/null
tsan-configure: deps
	@cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUSELAB_SANITIZE=thread -DFUSELAB_BUILD_BENCH=OFF --log-level=WARNING >/dev/null
test-asan: asan-configure
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target $(ASAN_TESTS)
	@cd $(ASAN_DIR) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -R '^($(subst $(space),|,$(ASAN_TESTS)))$$'
# The tests that start fuselab-cli run the sanitized one (tests/CMakeLists.txt gives sanitizer
# builds a longer per-test limit).
test-asan-all: asan-configure
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target $(ASAN_ALL_TESTS) fuselab-cli
	@cd $(ASAN_DIR) && $(ASAN_ENV) ctest --output-on-failure -j $(JOBS) -R '^($(subst $(space),|,$(ASAN_ALL_TESTS)))$$'
test-tsan: tsan-configure
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	@cd $(TSAN_DIR) && $(TSAN_ENV) ctest --output-on-failure -j $(JOBS) -R '^($(subst $(space),|,$(TSAN_TESTS)))$$'
test-tsan-all: tsan-configure
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_ALL_TESTS) fuselab-cli
	@cd $(TSAN_DIR) && $(TSAN_ENV) QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS) -R '^($(subst $(space),|,$(TSAN_ALL_TESTS)))$$'

# The headless engine (no Qt, no ingestion: what a GPU server builds) and its own test.
HEADLESS_DIR ?= build-headless
test-headless: deps
	@cmake -S . -B $(HEADLESS_DIR) -G Ninja -DFUSELAB_WITH_INGEST=OFF -DFUSELAB_WITH_QT=OFF --log-level=WARNING >/dev/null
	@cmake --build $(HEADLESS_DIR) -j $(JOBS)
	@cd $(HEADLESS_DIR) && ctest --output-on-failure

# libFuzzer targets for every parser: a clang build with ASan + UBSan (the first build takes
# a while: it compiles the engine with clang), then a short run of each from tests/fuzz/corpus.
FUZZ_DIR ?= build-fuzz
fuzz-build: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFUSELAB_FUZZ=ON \
	  -DFUSELAB_SANITIZE=address,undefined -DFUSELAB_WITH_QT=OFF -DFUSELAB_BUILD_BENCH=OFF --log-level=WARNING >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers
fuzz-smoke: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) scripts/fuzz.sh smoke 20
fuzz-campaign: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) scripts/fuzz.sh campaign 600
# The slow targets (they write every input to disk) until 1,000,000 executions or until their
# coverage has not grown for 10 minutes (at most an hour each).
FUZZ_LONG ?= cache_index text audio run_folder
fuzz-long: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) FUZZERS="$(FUZZ_LONG)" scripts/fuzz.sh long 3600 600

clean:
	rm -rf $(BUILD_DIR)
