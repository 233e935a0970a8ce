# The synthetic exporter farm of bench/scrape_farm.sh (a plain program, not a Google Benchmark).
add_executable(scrape_farm_exporter ${PROJECT_SOURCE_DIR}/bench/scrape_farm_exporter.cc)
target_compile_options(scrape_farm_exporter PRIVATE ${SUNDIAL_WARNINGS})
