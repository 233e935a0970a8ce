if(TARGET sundial_otlp)
  sundial_cc_benchmark(NAME otlp_benchmark SRCS ${PROJECT_SOURCE_DIR}/bench/otlp_benchmark.cc
                       DEPS sundial_otlp)
endif()
