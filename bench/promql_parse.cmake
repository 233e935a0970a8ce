sundial_cc_benchmark(NAME promql_parse_benchmark
  SRCS ${PROJECT_SOURCE_DIR}/bench/promql_parse_benchmark.cc
  DEPS sundial_promql)
