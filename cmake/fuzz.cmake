# libFuzzer targets. clang++ builds them (libFuzzer, ASan + UBSan) outside the main compiler's
# flags, and each gets a bounded run in the suite; `make bench` runs them for a fixed time.
find_program(ACTORSCOPE_CLANGXX NAMES clang++ clang++-14)
if(ACTORSCOPE_TESTS AND NOT ACTORSCOPE_CLANGXX)
  message(WARNING "clang++ not found: the fuzz targets are not built")
endif()

# actorscope_fuzz_target(NAME TEST_PREFIX prefix RUNS n SOURCES files... INCLUDES dirs...
#                        [MAX_LEN bytes] [LIBS libs...] [ARGS flags...] [SEEDS dirs...])
# With the suite on and clang++ found, builds actorscope-fuzz-NAME in the current binary
# directory and adds the test PREFIX.fuzz_NAME_bounded (dashes in NAME become underscores):
# RUNS inputs from seed 1, of up to MAX_LEN bytes (default 4096), what it finds kept in a
# corpus in the build directory, SEEDS read as well. It is rebuilt when a source, or a header
# under INCLUDES or beside a source, changes.
function(actorscope_fuzz_target name)
  cmake_parse_arguments(F "" "TEST_PREFIX;RUNS;MAX_LEN" "SOURCES;INCLUDES;LIBS;ARGS;SEEDS" ${ARGN})
  if(NOT ACTORSCOPE_TESTS OR NOT ACTORSCOPE_CLANGXX)
    return()
  endif()
  set(bin ${CMAKE_CURRENT_BINARY_DIR}/actorscope-fuzz-${name})
  if(NOT F_MAX_LEN)
    set(F_MAX_LEN 4096)
  endif()
  string(REPLACE "-" "_" test ${F_TEST_PREFIX}.fuzz_${name}_bounded)
  set(flags)
  set(headers)
  foreach(dir IN LISTS F_INCLUDES)
    list(APPEND flags -I${dir})
    file(GLOB_RECURSE found CONFIGURE_DEPENDS ${dir}/*.hpp ${dir}/*.h)
    list(APPEND headers ${found})
  endforeach()
  foreach(src IN LISTS F_SOURCES)
    get_filename_component(dir ${src} DIRECTORY)
    file(GLOB found CONFIGURE_DEPENDS ${dir}/*.hpp)
    list(APPEND headers ${found})
  endforeach()
  list(REMOVE_DUPLICATES headers)
  add_custom_command(OUTPUT ${bin}
    COMMAND ${ACTORSCOPE_CLANGXX} -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined ${flags}
            ${F_SOURCES} ${F_LIBS} -o ${bin}
    DEPENDS ${F_SOURCES} ${headers}
    COMMENT "Building the ${name} fuzz target with libFuzzer")
  add_custom_target(actorscope-fuzz-${name} ALL DEPENDS ${bin})
  # libFuzzer adds the inputs it finds to the first directory: the build directory's, so that
  # the source tree's seeds stay as they are.
  file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus-${name})
  add_test(NAME ${test}
    COMMAND ${bin} -runs=${F_RUNS} -seed=1 -max_len=${F_MAX_LEN} ${F_ARGS} ${CMAKE_CURRENT_BINARY_DIR}/fuzz-corpus-${name}
            ${F_SEEDS})
  set_tests_properties(${test} PROPERTIES TIMEOUT 300)
endfunction()
