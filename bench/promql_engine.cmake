sundial_cc_benchmark(NAME promql_engine_benchmark
  SRCS ${PROJECT_SOURCE_DIR}/bench/promql_engine_benchmark.cc
  DEPS sundial_promql_engine sundial_tsdb)
