# Sportello — the two commands that matter are `make run` and `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
DATA ?= var

.PHONY: run test bench build deps fmt lint sanitize clean

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

# The whole suite: the lower layers' unit tests under ASan+UBSan first, then unit, integration
# (SQLite + a real PostgreSQL 15) and browser tests on the normal build; CTest's summary comes last.
test: build sanitize
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900

bench: build
	bench/run $(BUILD)
	$(BUILD)/bench/sportello_bench --benchmark_filter=CasesQueue

# The lower layers' unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (DESIGN.md).
SANITIZED = unit_core unit_http unit_crypto
sanitize: deps
	cmake -S . -B $(BUILD)-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPORTELLO_SANITIZE=ON -DSPORTELLO_BENCH=OFF
	cmake --build $(BUILD)-asan -j $(JOBS) --target $(SANITIZED)
	ctest --test-dir $(BUILD)-asan --output-on-failure -j $(JOBS) -R '^($(subst $(eval) ,|,$(SANITIZED)))\.'


fmt:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: $(BUILD)/build.ninja
	git ls-files 'src/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) $(BUILD)-asan
