sundial_cc_benchmark(NAME tsdb_benchmark SRCS ${PROJECT_SOURCE_DIR}/bench/tsdb_benchmark.cc
                     DEPS sundial_tsdb)
