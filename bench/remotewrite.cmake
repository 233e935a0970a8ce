# The payload builders live with the tests (tests/remotewrite/payloads.h).
if(TARGET sundial_remotewrite_testing)
  sundial_cc_benchmark(NAME remotewrite_benchmark
                       SRCS ${PROJECT_SOURCE_DIR}/bench/remotewrite_benchmark.cc
                       DEPS sundial_remotewrite_testing)
endif()
