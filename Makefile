# vpclab: `make demo` (set up, build, run the canonical scenario) and
# `make test` (set up, build, run every test). `make` alone builds.
BUILD ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
CTEST_ARGS ?=
# Compile paths relative to the checkout, so every clone of the project
# shares ccache's entries (CI builds in a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all build setup configure demo test install deb fuzz bench clean

all: build

setup:
	@bash scripts/setup

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: setup build
	@bash scripts/demo $(BUILD)/vpclab

# Every ctest suite, then a short clean run of each libFuzzer target (clang,
# ASan+UBSan) on the parsers that face untrusted bytes: templates, Terraform JSON, HTTP, DNS.
test: setup build fuzz
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	cd build-fuzz && ctest --output-on-failure -L fuzz

install: build
	install -D -m 0755 $(BUILD)/vpclab $(DESTDIR)$(PREFIX)/bin/vpclab
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 $(BUILD)/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 $(BUILD)/completion/vpclab $(DESTDIR)$(PREFIX)/share/bash-completion/completions/vpclab

# The Debian package vpclab_VERSION_ARCH.deb in $(BUILD)/deb (docs/install.md).
deb: setup build
	@bash scripts/make-deb $(BUILD) $(BUILD)/deb

fuzz: setup
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DVPCLAB_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target template_fuzz http_fuzz dns_fuzz policy_fuzz terraform_fuzz ui_query_fuzz

bench: configure
	cmake --build $(BUILD) -j $(JOBS) --target analysis_bench vpclab
	@echo "analyzer: $(BUILD)/bench/analysis_bench; ALB: bash bench/alb/run.sh; NLB: bash bench/nlb/run.sh; check: see docs/performance.md"

clean:
	rm -rf $(BUILD) build-fuzz
