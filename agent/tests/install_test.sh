#!/usr/bin/env bash
# Installs the agent into a fresh prefix and builds the README's examples against it:
# the C one with pkg-config, the C++ one with find_package(actorscope).
set -euo pipefail
build_dir=$1 source_dir=$2 cmake=${3:-cmake}
work=$(mktemp -d "${TMPDIR:-/tmp}/actorscope-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

"$cmake" --install "$build_dir" --prefix "$prefix" --component agent >/dev/null
test -f "$prefix/include/actorscope/agent.h"
test -f "$prefix/include/actorscope/agent.hpp"
if [ -e "$prefix/include/actorscope/protocol" ]; then
  echo "protocol headers were installed; the agent must not need them" >&2
  exit 1
fi

# C, with pkg-config (the command in agent/README.md).
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name actorscope-agent.pc)")
cp "$source_dir/examples/example.c" "$source_dir/examples/example.cpp" "$work/"
cd "$work"
cc -std=c99 -Wall -Wextra example.c $(pkg-config --cflags --libs actorscope-agent) -o example-c
libdir=$(pkg-config --variable=libdir actorscope-agent)
env -u ACTORSCOPE_COLLECTOR LD_LIBRARY_PATH="$libdir" ./example-c 0.2
# pkg-config gave the shared library: a SONAME, and nothing exported but the C ABI.
so=$(readlink -f "$libdir/libactorscope-agent.so")
readelf -d "$so" | grep -q 'SONAME.*libactorscope-agent\.so\.[0-9]' || { echo "no SONAME on $so" >&2; exit 1; }
leaked=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^actorscope_' | grep -v '^ACTORSCOPE_AGENT_' || true)
if [ -n "$leaked" ]; then echo "the shared agent exports more than its C ABI:" >&2; echo "$leaked" | head >&2; exit 1; fi
# Static, with pkg-config --static.
cc -std=c99 -Wall -Wextra example.c $(pkg-config --cflags actorscope-agent) -L"$libdir" -Wl,-Bstatic -lactorscope-agent \
  -Wl,-Bdynamic $(pkg-config --static --libs-only-l actorscope-agent | sed 's/-lactorscope-agent//') -o example-c-static
env -u ACTORSCOPE_COLLECTOR ./example-c-static 0.2

# C++, with find_package (the project in agent/README.md).
mkdir project
cp "$source_dir/tests/installed/CMakeLists.txt" example.cpp project/
"$cmake" -S project -B project/build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
"$cmake" --build project/build >/dev/null
env -u ACTORSCOPE_COLLECTOR ./project/build/example-cpp 0.2

# C only, with find_package: the package carries the C++ runtime the agent needs.
mkdir cproject
cat > cproject/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(actorscope_c_example C)
find_package(actorscope REQUIRED)
add_executable(example-c example.c)
target_link_libraries(example-c PRIVATE actorscope::agent)
CMAKE
cp example.c cproject/
"$cmake" -S cproject -B cproject/build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
"$cmake" --build cproject/build >/dev/null
env -u ACTORSCOPE_COLLECTOR ./cproject/build/example-c 0.2

# The headers stay quiet under a user's strictest warnings, with plain -I from pkg-config.
strict="-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wold-style-cast -Wuseless-cast -Wzero-as-null-pointer-constant -Werror"
c++ -std=c++17 $strict -fsyntax-only example.cpp $(pkg-config --cflags actorscope-agent)
cc -std=c99 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wcast-qual -Wstrict-prototypes -Werror \
  -fsyntax-only example.c $(pkg-config --cflags actorscope-agent)
echo "installed agent: C, C-only CMake and C++ examples built and ran; headers clean under strict warnings"

# The README shows these very files.
extract() {  # prints the fenced block that follows the marker line naming $1
  awk -v name="$1" 'index($0, "<!-- " name " ") == 1 {on = 1; next}
                    on == 1 && /^```/ {on = 2; next}
                    on == 2 && /^```$/ {exit}
                    on == 2 {print}' "$source_dir/README.md"
}
extract example.c | diff -u "$source_dir/examples/example.c" - >&2 || { echo "README's C example differs from examples/example.c" >&2; exit 1; }
extract example.cpp | diff -u "$source_dir/examples/example.cpp" - >&2 || { echo "README's C++ example differs from examples/example.cpp" >&2; exit 1; }
extract CMakeLists.txt | diff -u "$source_dir/tests/installed/CMakeLists.txt" - >&2 || { echo "README's CMakeLists.txt differs" >&2; exit 1; }
echo "README examples match the compiled files"
