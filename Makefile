# actorscope: the user's entry points. Each installs what it needs, builds, then acts.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
VIEWER ?= top

.PHONY: all deps build test demo bench sanitize screenshots clean install package

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
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DACTORSCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DACTORSCOPE_BENCH=OFF"

screenshots: build
	@bash scripts/screenshots.sh $(BUILD)

install: build
	cmake --install $(BUILD)

package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) build-asan
