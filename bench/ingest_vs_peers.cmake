# Remote write ingestion, memory and restart: Sundial, the Debian Prometheus 2.42 and
# VictoriaMetrics fed the same pre-generated requests (a plain program: it starts the servers).
if(TARGET sundial_test_api_peers)
  add_executable(ingest_vs_peers ${PROJECT_SOURCE_DIR}/bench/ingest_vs_peers.cc)
  target_include_directories(ingest_vs_peers PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src
                                                     ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(ingest_vs_peers PRIVATE ${SUNDIAL_WARNINGS})
  target_compile_definitions(ingest_vs_peers PRIVATE SUNDIAL_BINARY="$<TARGET_FILE:sundial>")
  target_link_libraries(ingest_vs_peers PRIVATE sundial_test_api_peers Snappy::snappy Threads::Threads)
  add_dependencies(ingest_vs_peers sundial)
endif()
