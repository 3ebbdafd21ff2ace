# deltaline: the two commands that do everything on a fresh machine are
#   make demo   — bootstrap, build, then the code anatomy of this machine's Python standard
#                 library into ./lake, a query, and an incremental re-run
#   make test   — bootstrap, build, then run every test (ctest)
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all bootstrap configure build test demo bench clean

all: build

bootstrap:
	@scripts/bootstrap.sh

configure: bootstrap
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main ctest and the sanitizer stage (ASan+UBSan build in $(ASAN_DIR), its unit
# tests, bounded fuzzing) run side by side: see scripts/test.sh.
test: build
	@scripts/test.sh $(BUILD_DIR) $(ASAN_DIR) $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/deltaline

bench: build
	@scripts/bench.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
