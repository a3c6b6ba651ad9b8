# Shared compiler flags: warnings everywhere, errors in CI, optional sanitizers.
add_library(pg_warnings INTERFACE)
target_compile_options(pg_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion $<$<BOOL:${PG_WERROR}>:-Werror>)
# GCC 12 at -O3 (Release) reports `"text" + std::to_string(n)` as an overlapping memcpy
# (-Wrestrict, a known false positive of GCC 12's inlined std::string), which failed
# Release builds with PG_WERROR in several files; Debian 12's compiler is GCC 12.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(pg_warnings INTERFACE -Wno-restrict)
endif()

if(PG_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# A plugin module named NAME (target plugin_NAME, file NAME.so): only the entry
# point exported (hidden visibility plus the SDK's version script, because
# libstdc++'s template instances ignore -fvisibility), no undefined symbols, no
# GNU-unique symbols (they would pin the library in memory). Lands in DIR (default:
# the build's plugin folder). EXPORT_ALL skips the version script (a test plugin
# that must export something else).
set(PG_PUBLISHER_MAP ${CMAKE_SOURCE_DIR}/sdk/cmake/publisher.map)
function(pg_add_plugin name)
  cmake_parse_arguments(PLUGIN "EXPORT_ALL" "DIR" "SOURCES" ${ARGN})
  if(NOT PLUGIN_DIR)
    set(PLUGIN_DIR ${PG_BUILD_PLUGIN_DIR})
  endif()
  set(target plugin_${name})
  add_library(${target} MODULE ${PLUGIN_SOURCES})
  target_link_libraries(${target} PRIVATE productgraph::sdk pg_warnings)
  set_target_properties(${target} PROPERTIES
    PREFIX "" OUTPUT_NAME ${name}
    CXX_VISIBILITY_PRESET hidden C_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${PLUGIN_DIR})
  target_compile_options(${target} PRIVATE $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-fno-gnu-unique>)
  if(NOT PLUGIN_EXPORT_ALL)
    target_link_options(${target} PRIVATE "LINKER:--version-script=${PG_PUBLISHER_MAP}")
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${PG_PUBLISHER_MAP})
  endif()
  if(NOT PG_SANITIZE)
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
endfunction()
