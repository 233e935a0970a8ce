# Build helpers so every target looks the same.
#   sundial_cc_library(NAME base SRCS a.cc b.cc DEPS absl::status)
#   sundial_cc_test(NAME base_duration_test SRCS duration_test.cc DEPS sundial_base)
#   sundial_cc_benchmark(NAME chunk_benchmark SRCS chunk_benchmark.cc DEPS sundial_tsdb)

set(SUNDIAL_WARNINGS -Wall -Wextra -Wno-unused-parameter)
if(SUNDIAL_WERROR)
  list(APPEND SUNDIAL_WARNINGS -Werror)
endif()

set(SUNDIAL_SANITIZER_FLAGS)
if(SUNDIAL_SANITIZE)
  set(SUNDIAL_SANITIZER_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer
                              -fno-sanitize-recover=undefined)
  add_compile_options(${SUNDIAL_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()

function(sundial_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(sundial_${ARG_NAME} STATIC ${ARG_SRCS})
  target_include_directories(sundial_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(sundial_${ARG_NAME} PRIVATE ${SUNDIAL_WARNINGS})
  target_link_libraries(sundial_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

function(sundial_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_compile_options(${ARG_NAME} PRIVATE ${SUNDIAL_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
  set_tests_properties(${ARG_NAME} PROPERTIES
    ENVIRONMENT "SUNDIAL_SOURCE_DIR=${PROJECT_SOURCE_DIR};SUNDIAL_BINARY_DIR=${PROJECT_BINARY_DIR}"
    LABELS "${ARG_LABELS}")
endfunction()

function(sundial_cc_benchmark)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(${ARG_NAME} PRIVATE ${SUNDIAL_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} benchmark::benchmark)
endfunction()

# Adds every subdirectory of the current source dir that has a CMakeLists.txt, in the order given
# first (modules depend only on modules earlier in the list), then any others alphabetically.
function(sundial_add_subdirectories)
  set(ordered ${ARGN})
  file(GLOB children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child IN LISTS children)
    if(NOT child IN_LIST ordered)
      list(APPEND ordered ${child})
    endif()
  endforeach()
  foreach(child IN LISTS ordered)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
