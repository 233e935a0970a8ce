sundial_cc_benchmark(NAME scrape_benchmark SRCS ${PROJECT_SOURCE_DIR}/bench/scrape_benchmark.cc
                     DEPS sundial_scrape)
