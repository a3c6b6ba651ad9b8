# Included by tests/CMakeLists.txt when PG_FUZZ is on: builds tests/fuzz with clang
# as an external project (the main build's g++ has no libFuzzer) and registers a
# bounded run of each target with ctest, label "fuzz". Each run starts from the
# committed seed corpus and keeps what it finds in the build tree; a crash, a
# sanitizer report, a broken invariant or a 10 s hang fails the test and leaves the
# input as crash-*/timeout-* in the build's fuzz folder.
find_program(PG_FUZZ_CXX NAMES clang++-14 clang++)
if(NOT PG_FUZZ_CXX)
  message(WARNING "PG_FUZZ: no clang++ found, so the fuzz targets are not built "
    "(packaging/dev/install-deps.sh installs clang and libclang-rt-14-dev)")
  return()
endif()

include(ExternalProject)
set(pg_fuzz_dir ${CMAKE_BINARY_DIR}/fuzz)
ExternalProject_Add(pg_fuzz_targets
  SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR}
  BINARY_DIR ${pg_fuzz_dir}
  CMAKE_ARGS -DCMAKE_CXX_COMPILER=${PG_FUZZ_CXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER}
  BUILD_ALWAYS ON
  INSTALL_COMMAND "")

# Three targets share the 60 s budget.
set(PG_FUZZ_SECONDS 15 CACHE STRING "Seconds each fuzz target runs under ctest")
set(pg_fuzz_max_len_batch_parser 16384)
set(pg_fuzz_max_len_amplitude_response 8192)
set(pg_fuzz_max_len_mixpanel_response 8192)
foreach(target batch_parser amplitude_response mixpanel_response)
  set(work_corpus ${pg_fuzz_dir}/corpus/${target})
  file(MAKE_DIRECTORY ${work_corpus})
  add_test(NAME fuzz/${target}
    COMMAND ${pg_fuzz_dir}/fuzz_${target} -max_total_time=${PG_FUZZ_SECONDS} -timeout=10 -rss_limit_mb=2048
      -max_len=${pg_fuzz_max_len_${target}} -dict=${CMAKE_CURRENT_LIST_DIR}/json.dict -print_final_stats=1
      ${work_corpus} ${CMAKE_CURRENT_LIST_DIR}/corpus/${target}
    WORKING_DIRECTORY ${pg_fuzz_dir})
  set_tests_properties(fuzz/${target} PROPERTIES LABELS fuzz TIMEOUT 180 ENVIRONMENT
    "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=${CMAKE_CURRENT_LIST_DIR}/ubsan.supp")
endforeach()
