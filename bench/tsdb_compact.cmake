sundial_cc_benchmark(NAME tsdb_compact_benchmark
                     SRCS ${PROJECT_SOURCE_DIR}/bench/tsdb_compact_benchmark.cc
                     DEPS sundial_tsdb_compact)
# The in-memory test querier lives with the tests.
target_include_directories(tsdb_compact_benchmark PRIVATE ${PROJECT_SOURCE_DIR}/tests)
