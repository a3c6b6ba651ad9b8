# Fails when a plugin file exports a defined dynamic symbol other than the entry point,
# or lacks the entry point. Usage:
#   cmake -DNM=<nm> -P check_exports.cmake -- <plugin.so>...

cmake_minimum_required(VERSION 3.25)

# Symbols every shared object defines for the linker and loader; they are not ours.
set(linker_symbols _init _fini __bss_start _edata _end __end__ _etext __data_start
  __dso_handle _DYNAMIC _GLOBAL_OFFSET_TABLE_ _PROCEDURE_LINKAGE_TABLE_)

set(files "")
set(after_separator FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(after_separator)
    list(APPEND files "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(after_separator TRUE)
  endif()
endforeach()
if(NOT files)
  message(FATAL_ERROR "no plugin files given")
endif()

set(failures "")
foreach(file IN LISTS files)
  execute_process(COMMAND ${NM} -D --defined-only ${file}
    OUTPUT_VARIABLE listing ERROR_VARIABLE nm_error RESULT_VARIABLE nm_result)
  if(NOT nm_result EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${file}: ${nm_error}")
  endif()
  string(REPLACE "\n" ";" lines "${listing}")
  set(has_entry FALSE)
  foreach(line IN LISTS lines)
    # "<address> <type> <name>[@version]"
    if(NOT line MATCHES "^[0-9a-fA-F]* *[A-Za-z] ([^ @]+)")
      continue()
    endif()
    set(symbol "${CMAKE_MATCH_1}")
    if(symbol STREQUAL "pgraph_publisher_entry_v1")
      set(has_entry TRUE)
    elseif(NOT symbol IN_LIST linker_symbols)
      string(APPEND failures "${file} exports ${symbol}\n")
    endif()
  endforeach()
  if(NOT has_entry)
    string(APPEND failures "${file} does not export pgraph_publisher_entry_v1\n")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "plugins must export only pgraph_publisher_entry_v1:\n${failures}")
endif()
list(LENGTH files count)
message(STATUS "${count} plugin file(s) export only pgraph_publisher_entry_v1")
