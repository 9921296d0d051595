# Sportello — the two commands that matter are `make run` and `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
DATA ?= var

.PHONY: run test check-normal bench build deps fmt lint sanitize clean

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Builds, creates and seeds the SQLite demo database on first start, serves http://localhost:8080.
run: build
	@mkdir -p $(DATA)
	$(BUILD)/sportello serve --demo

# The whole suite, in two builds so each piece of code is compiled and tested once:
#  1. `sanitize`: the sanitized build (ASan+UBSan at -O1, build-asan/) compiles everything and runs the
#     unit and integration suites (SQLite + a real PostgreSQL 15); the integration tests that start the
#     server start this sanitized binary;
#  2. the normal build compiles the server and the benchmarks (run by `make bench`), and the browser
#     tests drive that optimised binary in chromium.
# CTest's summary of the browser tests comes last. `make check-normal` runs the unit and integration
# suites on the normal build too (not part of `make test`: CI's time goes to the sanitized run).
test: deps sanitize $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target sportello sportello_bench bench_protocollo
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900 -L e2e

check-normal: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900 -L 'unit|integration'

bench: build
	bench/run $(BUILD)
	$(BUILD)/bench/sportello_bench --benchmark_filter=CasesQueue

# The unit and integration suites under AddressSanitizer + UndefinedBehaviorSanitizer (DESIGN.md).
sanitize: deps
	cmake -S . -B $(BUILD)-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPORTELLO_SANITIZE=ON -DSPORTELLO_BENCH=OFF
	cmake --build $(BUILD)-asan -j $(JOBS)
	ctest --test-dir $(BUILD)-asan --output-on-failure -j $(JOBS) --timeout 900 -L 'unit|integration'

fmt:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: $(BUILD)/build.ninja
	git ls-files 'src/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) $(BUILD)-asan
