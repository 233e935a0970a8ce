# A plain binary (not Google Benchmark): one process per phase so VmRSS is the head's alone.
add_executable(tsdb_head_memory ${PROJECT_SOURCE_DIR}/bench/tsdb_head_memory.cc)
target_include_directories(tsdb_head_memory PRIVATE ${PROJECT_SOURCE_DIR}/src)
target_compile_options(tsdb_head_memory PRIVATE ${SUNDIAL_WARNINGS})
target_link_libraries(tsdb_head_memory PRIVATE sundial_tsdb_db)
