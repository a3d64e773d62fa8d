# Regenerates the configuration reference into OUT and compares it with the committed copies
# in SRC. Run by ctest as unit.config.docs_fresh: cmake -DGEN=… -DSRC=… -DOUT=… -P this.
foreach(pair "markdown;CONFIGURATION.md" "yaml;etc/slsfwd.example.yaml")
  list(GET pair 0 format)
  list(GET pair 1 file)
  get_filename_component(name ${file} NAME)
  execute_process(COMMAND ${GEN} ${format} OUTPUT_FILE ${OUT}/${name} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sf-config-docs ${format} failed (${rc})")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/${name} ${SRC}/${file}
    RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${file} is stale: the option table changed. Run "
      "scripts/gen_config_docs.sh and commit the result (fresh copy: ${OUT}/${name}).")
  endif()
endforeach()
message(STATUS "CONFIGURATION.md and etc/slsfwd.example.yaml match the option table")
