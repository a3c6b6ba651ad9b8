# Installs the SDK component into a scratch prefix, builds sdk/examples/hello against
# it exactly as a third party would, and checks the plugin exports only its entry.
# Arguments: -DBUILD_DIR= -DSOURCE_DIR= -DSCRATCH= -DNM=
file(REMOVE_RECURSE "${SCRATCH}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${SCRATCH}/prefix" --component sdk
  RESULT_VARIABLE status OUTPUT_QUIET)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "installing the SDK failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/sdk/examples/hello" -B "${SCRATCH}/build"
  "-DCMAKE_PREFIX_PATH=${SCRATCH}/prefix" RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "configuring the example against the installed SDK failed:\n${output}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${SCRATCH}/build" RESULT_VARIABLE status
  OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "building the example against the installed SDK failed:\n${output}")
endif()
if(NOT EXISTS "${SCRATCH}/build/hello.so")
  message(FATAL_ERROR "the example did not produce hello.so")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -DNM=${NM} -P "${SOURCE_DIR}/tests/abi/check_exports.cmake" --
  "${SCRATCH}/build/hello.so" RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "hello.so exports more than its entry point")
endif()
