# actorscope: the user's entry points. Each installs what it needs, builds, then acts.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
VIEWER ?= top

.PHONY: all deps build test demo bench sanitize screenshots clean install package tsan

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 600

demo: build
	@bash scripts/demo.sh $(BUILD) $(VIEWER)

bench: build
	@bash scripts/bench.sh $(BUILD)

sanitize:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DACTORSCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DACTORSCOPE_BENCH=OFF -DACTORSCOPE_TEST_TIMEOUT=300"

screenshots: build
	@bash scripts/screenshots.sh $(BUILD)

install: build
	cmake --install $(BUILD)

package: build
	cd $(BUILD) && cpack -G DEB

# ThreadSanitizer: the agent's rings and flusher and the collector's threads (loop, HTTP
# scrapes, viewers' --listen, the flight recorder's compressor) under TSan. Only the suites
# that run those threads (CAF is left out: its scheduler is not built with TSan here, and its
# suites are not among these; agent.install too: it builds a plain C program against the
# installed, TSan-built library).
TSAN_TESTS ?= ^(agent|collector|serve|integration|protocol|model)\.
tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACTORSCOPE_GUI=OFF -DACTORSCOPE_BENCH=OFF \
	  -DACTORSCOPE_BEAM=OFF -DACTORSCOPE_CAF=OFF -DACTORSCOPE_TEST_TIMEOUT=600 -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	  -DCMAKE_C_FLAGS="-fsanitize=thread" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" $(CMAKE_FLAGS)
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  ctest --output-on-failure -j$(JOBS) --timeout 900 -R '$(TSAN_TESTS)' -E 'fuzz|agent.install'

clean:
	rm -rf $(BUILD) build-asan build-tsan
