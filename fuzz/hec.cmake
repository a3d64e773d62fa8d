# fuzz_hec_response: HEC answers (status + body) → reply fields, reaction, ack answers,
# Retry-After, health advice, log excerpt. Included from fuzz/CMakeLists.txt. Run:
#   ./fuzz_hec_response -max_total_time=120 corpus-dir fuzz/corpus/hec_response
sf_fuzz_target(hec_response SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_hec_response.c
  LIBS sf_sink sf_util)
