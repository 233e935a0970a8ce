sundial_cc_benchmark(NAME tsdb_db_benchmark SRCS ${PROJECT_SOURCE_DIR}/bench/tsdb_db_benchmark.cc
                     DEPS sundial_tsdb_db)
