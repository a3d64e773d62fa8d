# fuzz_transform: arbitrary bytes → LogGroupList decode → HEC events (valid UTF-8 and JSON per
# line, list == per-event output, bounded-buffer contract), plus the JSON validator against an
# independent one. Included from fuzz/CMakeLists.txt. Run:
#   ./fuzz_transform -dict=fuzz/dict/loggroup.dict -max_total_time=180 corpus-dir
sf_fuzz_target(transform SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_transform.c
  LIBS sf_transform sf_codec sf_util)
