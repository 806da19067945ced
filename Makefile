# FuseLab: the two commands that do everything on a fresh Debian 12 machine.
#   make run   installs what is missing, builds, and runs FuseLab on its built-in demo
#   make test  the same set-up, then the whole test suite
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test screenshots clean

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

clean:
	rm -rf $(BUILD_DIR)
