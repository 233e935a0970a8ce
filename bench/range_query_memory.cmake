# Server peak RSS of one large query_range answer: Sundial binaries against the Debian Prometheus
# 2.42 (not a Google Benchmark: it starts the servers). Helpers live with the API tests.
if(TARGET sundial_test_api_peers)
  add_executable(range_query_memory ${PROJECT_SOURCE_DIR}/bench/range_query_memory.cc)
  target_include_directories(range_query_memory PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src
                                                        ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(range_query_memory PRIVATE ${SUNDIAL_WARNINGS})
  target_compile_definitions(range_query_memory PRIVATE SUNDIAL_BINARY="$<TARGET_FILE:sundial>")
  target_link_libraries(range_query_memory PRIVATE sundial_test_api_peers)
  add_dependencies(range_query_memory sundial)
endif()
