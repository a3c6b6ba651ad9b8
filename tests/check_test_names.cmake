# Fails when a doctest TEST_CASE name holds a comma or semicolon: ctest passes the
# name to doctest's --test-case filter, which splits on both, so such a test would
# match nothing and "pass" without running.
file(GLOB_RECURSE sources "${SOURCE_DIR}/*.cpp")
set(bad "")
foreach(source IN LISTS sources)
  file(STRINGS "${source}" lines REGEX "TEST_CASE\\(\"[^\"]*[,;]")
  foreach(line IN LISTS lines)
    string(APPEND bad "\n  ${source}: ${line}")
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "test names with ',' or ';' never run under ctest:${bad}")
endif()
