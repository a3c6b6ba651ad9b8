# Runs productgraph-plugin-check on a plugin that must fail, and requires exit code 1
# and each expected problem in the output (not a crash of the checker itself).
# Arguments: -DCHECKER= -DPLUGIN= -DEXPECT="text;text;..."
execute_process(COMMAND ${CHECKER} ${PLUGIN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
message("${output}")
if(NOT status EQUAL 1)
  message(FATAL_ERROR "expected exit code 1 from the checker, got ${status}")
endif()
foreach(expected IN LISTS EXPECT)
  string(FIND "${output}" "${expected}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the checker did not report: ${expected}")
  endif()
endforeach()
