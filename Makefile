# Thin wrapper over CMake + Ninja. See README.md.
#   make            build everything into build/ (binaries in build/bin/)
#   make test       install missing deps, build, run the test suite (not the slow label)
#   make test SAN=1 the same with AddressSanitizer + UndefinedBehaviorSanitizer (build-san/)
#   make test-slow  run only the tests labelled slow
#   make bench      run every benchmark program, printing JSON lines
#   make fuzz       build the libFuzzer harnesses with clang and run each for FUZZ_SECONDS
#   make demo       a centralized KMS on 127.0.0.1: key generation, encryption,
#                   public and user decryption (scripts/demo.sh)

SAN ?= 0
FUZZ_SECONDS ?= 10
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

ifeq ($(SAN),1)
BUILD_DIR := build-san
CMAKE_FLAGS := -DCKMS_SAN=ON -DCMAKE_BUILD_TYPE=Debug
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp
else
BUILD_DIR := build
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo
endif

.PHONY: all build deps test test-slow bench fuzz demo clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --no-label-summary -j $(JOBS) -LE slow

test-slow: build
	cd $(BUILD_DIR) && ctest --output-on-failure --no-label-summary -L slow

bench: build
	@scripts/run-benches.sh $(BUILD_DIR)/bench

fuzz:
	@scripts/install-deps.sh --fuzz
	cmake -S . -B build-fuzz -G Ninja -DCKMS_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug
	cmake --build build-fuzz -j $(JOBS)
	@scripts/run-fuzzers.sh build-fuzz/fuzz $(FUZZ_SECONDS)

demo: build
	CKMS_BIN_DIR=$(CURDIR)/$(BUILD_DIR)/bin scripts/demo.sh

clean:
	rm -rf build build-san build-fuzz
