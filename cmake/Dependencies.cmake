# Every external library comes from a Debian 12 package installed by scripts/setup.sh.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(Protobuf REQUIRED)
find_package(Snappy CONFIG REQUIRED)
find_package(yaml-cpp CONFIG REQUIRED)
find_package(ZLIB REQUIRED)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
if(SUNDIAL_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(SUNDIAL_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
endif()

# Boost.Asio/Beast are header-only here; this target carries the defines we want everywhere
# they are included. Only net/ and web/ (and their tests) should link it.
add_library(sundial_asio INTERFACE)
target_link_libraries(sundial_asio INTERFACE Boost::headers Threads::Threads OpenSSL::SSL
                                             OpenSSL::Crypto)
target_compile_definitions(sundial_asio INTERFACE BOOST_ASIO_NO_DEPRECATED
                                                  BOOST_BEAST_USE_STD_STRING_VIEW)
