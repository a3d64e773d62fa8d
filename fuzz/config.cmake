# The config loader (fuzz/fuzz_config.c); included from fuzz/CMakeLists.txt.
sf_fuzz_target(config SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_config.c LIBS sf_config sf_util)
