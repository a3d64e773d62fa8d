# sf_fuzz_target(<name> SOURCES <files...> LIBS <libs...>)
# fuzz/fuzz_<name>.c-style target. Always builds fuzz_<name>_replay (fuzz/replay_main.c drives
# LLVMFuzzerTestOneInput over every file of fuzz/corpus/<name>/) and registers it with ctest as
# fuzz.<name> (label "fuzz"). With -DSF_FUZZ=ON (clang) it also builds the libFuzzer binary
# fuzz_<name>, run by `make fuzz`.
function(sf_fuzz_target name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(fuzz_${name}_replay ${F_SOURCES} ${CMAKE_SOURCE_DIR}/fuzz/replay_main.c)
  target_link_libraries(fuzz_${name}_replay PRIVATE ${F_LIBS})
  add_test(NAME fuzz.${name} COMMAND fuzz_${name}_replay ${CMAKE_SOURCE_DIR}/fuzz/corpus/${name})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  if(SF_FUZZ)
    add_executable(fuzz_${name} ${F_SOURCES})
    target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
