# fuzz_syslog: arbitrary bytes → LogGroupList decode → one syslog message per log, in several
# option sets (5424/3164, octet/LF/UDP, JSON/kv): framing, a strict RFC 5424 header/SD parse,
# SD values unescaping to valid UTF-8, max size, and the bounded-buffer contract. Included from
# fuzz/CMakeLists.txt. Run:
#   ./fuzz_syslog -dict=fuzz/dict/loggroup.dict -max_total_time=180 corpus-dir
sf_fuzz_target(syslog SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_syslog.c
  LIBS sf_transform sf_codec sf_util)
