# Sportello — the two commands that matter are `make run` and `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
DATA ?= var
ASAN ?= $(BUILD)-asan

.PHONY: run test check-normal bench build deps fmt lint sanitize clean deb test-package test-cluster

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

# The whole suite, in one build: the sanitized build (ASan+UBSan at -O1, line tables only: build-asan/)
# compiles everything once, then CTest runs the unit and integration suites (SQLite + a real PostgreSQL 15)
# and the browser tests (chromium + axe); every test that starts the server starts this sanitized binary,
# so a memory error on any page a browser walks stops the suite. Compiling a second, optimised build only
# to run the browser tests cost CI a third of its time. `make check-normal` runs the same suite on the
# optimised build (the one `make run` and `make bench` use).
test: deps $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)
	ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) --timeout 900

check-normal: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) --timeout 900

bench: build
	bench/run $(BUILD)
	$(BUILD)/bench/sportello_bench --benchmark_filter='CasesQueue|StampCost'

$(ASAN)/build.ninja:
	cmake -S . -B $(ASAN) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DSPORTELLO_SANITIZE=ON -DSPORTELLO_BENCH=OFF

# Only the unit and integration suites of the sanitized build (quicker than `make test` while working).
sanitize: deps $(ASAN)/build.ninja
	cmake --build $(ASAN) -j $(JOBS)
	ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) --timeout 900 -L 'unit|integration'

# The Debian package (CPack, packaging/deb/, docs/deployment.md), in $(DEB)/: a release build of its own,
# without the test-only fake clock (SPORTELLO_FAKE_CLOCK=OFF: `--fake-clock` is refused) and without the
# test and benchmark programs, so that what operators install is not the build the tests time-travel with.
DEB ?= $(BUILD)-deb
$(DEB)/build.ninja:
	cmake -S . -B $(DEB) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPORTELLO_FAKE_CLOCK=OFF \
	  -DSPORTELLO_TESTS=OFF -DSPORTELLO_BENCH=OFF

deb: deps $(DEB)/build.ninja
	cmake --build $(DEB) -j $(JOBS) --target sportello
	cd $(DEB) && cpack -G DEB

# Unpacks the package, checks its unit with systemd-analyze, runs its ExecStart as an unprivileged user
# against a fresh state directory up to /readyz (scripts/test-package).
test-package: deb
	scripts/test-package $$(ls -t $(DEB)/sportello_*.deb | head -1)

# What runs on several processes and tools beyond `make test` (docs/deployment.md): the package test,
# the PostgreSQL base backup restored to a point in time (scripts/test-pg-restore), and two nodes behind
# a real HAProxy losing one under load (scripts/test-cluster-nodes), and the failover: two Patroni-managed
# PostgreSQL members on etcd, a node, the primary and then the new primary's machine lost under a load
# of writes (scripts/test-cluster-failover, about 2.5 minutes).
test-cluster: test-package
	scripts/test-pg-restore $(BUILD)/sportello
	scripts/test-cluster-nodes $(BUILD)/sportello
	scripts/test-cluster-failover $(BUILD)/sportello

fmt:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: $(BUILD)/build.ninja
	git ls-files 'src/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet

clean:
	rm -rf $(BUILD) $(ASAN)
