sundial_cc_benchmark(NAME metrics_benchmark SRCS ${CMAKE_CURRENT_SOURCE_DIR}/metrics_benchmark.cc
                     DEPS sundial_base)
