# Sundial against the Debian Prometheus 2.42 through the HTTP API (not a Google Benchmark: it
# starts both servers). The process/HTTP/remote write helpers live with the API tests.
if(TARGET sundial_test_api_peers)
  add_executable(promql_vs_prometheus ${PROJECT_SOURCE_DIR}/bench/promql_vs_prometheus.cc
                                      ${PROJECT_SOURCE_DIR}/tests/web/test_client.cc)
  target_include_directories(promql_vs_prometheus PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src
                                                          ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(promql_vs_prometheus PRIVATE ${SUNDIAL_WARNINGS})
  target_compile_definitions(promql_vs_prometheus PRIVATE SUNDIAL_BINARY="$<TARGET_FILE:sundial>")
  target_link_libraries(promql_vs_prometheus PRIVATE sundial_test_api_peers sundial_base yaml-cpp
                                                     ZLIB::ZLIB)
  add_dependencies(promql_vs_prometheus sundial)
endif()
