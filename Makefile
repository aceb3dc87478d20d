# The two commands: `make run` and `make test`. Both install missing Debian packages first.
PRESET ?= release
BUILD   = build/$(PRESET)
TCPKIT  = $(BUILD)/bin/tcpkit
JOBS   ?= $(shell nproc)
SERVICE ?= echo
LISTEN  ?= 127.0.0.1:7000
FUZZ_SECONDS ?= 30

.PHONY: all deps configure build run test examples install asan tsan sanitize fuzz bench format format-check clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja: | deps
	cmake --preset $(PRESET) $(CMAKE_ARGS)

configure: $(BUILD)/build.ninja

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

## make run: build and start the echo server on 127.0.0.1:7000 (SERVICE=kv LISTEN=... to change)
run: build
	$(TCPKIT) serve $(SERVICE) --listen $(LISTEN)

## make test: build and run every test (unit, integration, real peers, short fuzz runs)
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

## make examples: install into a temp prefix, build examples/ against it and run them (make test
## runs this too, as the ctest test `examples`).
examples: build
	scripts/check-examples $(BUILD)

## make install PREFIX=/opt/tcpkit: headers, libraries, tcpkit, CMake package and tcpkit.pc.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

## The same tests under the sanitizers (CI runs both).
asan:
	$(MAKE) --no-print-directory PRESET=asan build
	ctest --test-dir build/asan --output-on-failure -j $(JOBS) -LE nosan

tsan:
	$(MAKE) --no-print-directory PRESET=tsan build
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 atexit_sleep_ms=0" \
	  ctest --test-dir build/tsan --output-on-failure -j $(JOBS) -LE nosan

sanitize: asan tsan

## make fuzz FUZZ_SECONDS=N: run every libFuzzer target for N seconds each.
fuzz: deps
	@test -f build/fuzz/build.ninja || cmake --preset fuzz $(CMAKE_ARGS)
	cmake --build build/fuzz -j $(JOBS)
	scripts/run-fuzzers build/fuzz $(FUZZ_SECONDS)

## make bench: the side-by-side comparison (tcpkit vs redis-server, model vs model).
bench: build
	bench/compare/run.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.hpp' '*.cpp')

## make format-check: fails when a file is not as .clang-format says (CI runs it).
format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.hpp' '*.cpp')

clean:
	rm -rf build
