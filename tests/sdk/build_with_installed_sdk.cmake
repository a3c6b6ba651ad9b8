# The SDK promise, end to end: install only the `sdk` component into a scratch prefix,
# check what it holds, build the installed examples (C minimal, C webhook with libcurl,
# C++ counter) as separate projects by the CMake route and the C ones by the
# pkg-config route too, and pass every result through the installed
# productgraph-plugin-check. The webhook built here is what webhook_daemon_test loads.
# Arguments: -DBUILD_DIR= -DSCRATCH= -DC_COMPILER= -DPKG_CONFIG=
cmake_minimum_required(VERSION 3.25)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${output}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${SCRATCH}")
set(prefix "${SCRATCH}/prefix")
run("installing the sdk component" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}" --component sdk)

# What a plugin author gets, and nothing of the daemon.
set(docs "${prefix}/share/doc/productgraph-sdk")
foreach(file include/productgraph/publisher.h include/productgraph/publisher_util.h
    include/productgraph/publisher.hpp include/productgraph/fake_host.hpp bin/productgraph-plugin-check
    share/doc/productgraph-sdk/ABI.md share/doc/productgraph-sdk/writing-a-plugin.md
    share/doc/productgraph-sdk/reference.md share/doc/productgraph-sdk/examples/minimal/minimal.c
    share/doc/productgraph-sdk/examples/webhook/webhook.c share/doc/productgraph-sdk/examples/cpp_counter/counter.cpp)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the sdk component does not install ${file}")
  endif()
endforeach()
file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
foreach(file IN LISTS installed)
  if(file MATCHES "productgraphd|/plugins/")
    message(FATAL_ERROR "the sdk component installs a daemon file: ${file}")
  endif()
endforeach()
set(checker "${prefix}/bin/productgraph-plugin-check")

# The CMake route: find_package(productgraph-sdk 0.1) from the prefix alone.
foreach(example minimal webhook cpp_counter)
  run("configuring ${example} against the installed SDK" ${CMAKE_COMMAND} -S "${docs}/examples/${example}"
    -B "${SCRATCH}/cmake-${example}" "-DCMAKE_PREFIX_PATH=${prefix}" -DCMAKE_BUILD_TYPE=Release)
  run("building ${example} against the installed SDK" ${CMAKE_COMMAND} --build "${SCRATCH}/cmake-${example}")
endforeach()
run("plugin-check on the CMake-built minimal" ${checker} "${SCRATCH}/cmake-minimal/minimal.so")
run("plugin-check on the CMake-built counter" ${checker} "${SCRATCH}/cmake-cpp_counter/counter.so")
run("plugin-check on the CMake-built webhook" ${checker} "${SCRATCH}/cmake-webhook/webhook.so"
  --env WEBHOOK_URL=http://127.0.0.1:1/hook --env WEBHOOK_TOKEN=t)

# The pkg-config route: cflags and the version script from the relocatable .pc file.
file(GLOB pc_file "${prefix}/lib*/pkgconfig/productgraph-sdk.pc" "${prefix}/lib/*/pkgconfig/productgraph-sdk.pc")
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
run("pkg-config --cflags" ${PKG_CONFIG} --cflags productgraph-sdk)
string(STRIP "${run_output}" cflags)
separate_arguments(cflags UNIX_COMMAND "${cflags}")
run("pkg-config --variable=version_script" ${PKG_CONFIG} --variable=version_script productgraph-sdk)
string(STRIP "${run_output}" version_script)
if(NOT EXISTS "${version_script}")
  message(FATAL_ERROR "version_script names a missing file: ${version_script}")
endif()
run("pkg-config --modversion" ${PKG_CONFIG} --modversion productgraph-sdk)
file(MAKE_DIRECTORY "${SCRATCH}/pkgconfig")
foreach(example minimal webhook)
  set(libs "")
  if(example STREQUAL "webhook")
    set(libs -lcurl)
  endif()
  run("compiling ${example} with pkg-config" ${C_COMPILER} -std=c99 -O2 -fPIC -fvisibility=hidden -shared
    "${docs}/examples/${example}/${example}.c" -o "${SCRATCH}/pkgconfig/${example}.so" ${cflags}
    "-Wl,--version-script=${version_script}" -Wl,--no-undefined ${libs})
endforeach()
run("plugin-check on the pkg-config minimal" ${checker} "${SCRATCH}/pkgconfig/minimal.so")
run("plugin-check on the pkg-config webhook" ${checker} "${SCRATCH}/pkgconfig/webhook.so"
  --env WEBHOOK_URL=http://127.0.0.1:1/hook)
message(STATUS "the installed SDK built minimal, webhook and counter by CMake, minimal and webhook by pkg-config")
