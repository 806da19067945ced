# FuseLab: the two commands that do everything on a fresh Debian 12 machine.
#   make run   installs what is missing, builds, and runs FuseLab on its built-in demo
#   make test  the same set-up, then the whole test suite
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: all deps configure build run test clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/build.ninja: | deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) --log-level=WARNING >/dev/null

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Until the GUI lands, the demo is the dataset health check on the bundled dataset.
run: build
	@$(BUILD_DIR)/bin/fuselab-cli inspect resources/demo

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
