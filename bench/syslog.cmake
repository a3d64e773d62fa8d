# bench_syslog: decoded nginx-like logs → framed RFC 5424 syslog messages (JSON and kv MSG).
# Included from bench/CMakeLists.txt.
#   build-rel/bench/bench_syslog [target_mb]
add_executable(bench_syslog ${CMAKE_CURRENT_SOURCE_DIR}/bench_syslog.c
  ${CMAKE_CURRENT_SOURCE_DIR}/bench_data.c)
target_link_libraries(bench_syslog PRIVATE sf_transform sf_codec sf_proto sf_util PkgConfig::LZ4)
