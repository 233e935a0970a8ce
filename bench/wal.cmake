sundial_cc_benchmark(NAME wal_benchmark SRCS ${PROJECT_SOURCE_DIR}/bench/wal_benchmark.cc
                     DEPS sundial_tsdb_wal)
