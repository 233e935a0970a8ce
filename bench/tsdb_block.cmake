sundial_cc_benchmark(NAME tsdb_block_benchmark
                     SRCS ${PROJECT_SOURCE_DIR}/bench/tsdb_block_benchmark.cc
                     DEPS sundial_tsdb_compact sundial_tsdb_block)
