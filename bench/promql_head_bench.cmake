# The promql_vs_prometheus queries in-process on a tsdb::Head (for profiling the engine).
add_executable(promql_head_bench ${PROJECT_SOURCE_DIR}/bench/promql_head_bench.cc)
target_include_directories(promql_head_bench PRIVATE ${PROJECT_SOURCE_DIR}
                                                     ${PROJECT_SOURCE_DIR}/src)
target_compile_options(promql_head_bench PRIVATE ${SUNDIAL_WARNINGS})
target_link_libraries(promql_head_bench PRIVATE sundial_promql_engine sundial_tsdb
                                                absl::synchronization)
