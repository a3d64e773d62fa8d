# bench_transform: decoded logs → HEC event JSON (map, decode+map, lz4+decode+map), on the golden
# inputs of tests/data/reference-mapping re-encoded to ~100 MB. Included from bench/CMakeLists.txt.
#   build-rel/bench/bench_transform [target_mb_per_dataset]
add_executable(bench_transform ${CMAKE_CURRENT_SOURCE_DIR}/bench_transform.c)
target_link_libraries(bench_transform PRIVATE sf_transform sf_codec sf_util PkgConfig::LZ4)
target_compile_definitions(bench_transform PRIVATE
  SF_TESTDATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/reference-mapping")
