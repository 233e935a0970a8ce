#!/usr/bin/env bash
# Sets up the machine, builds everything and runs the whole test suite with ctest.
#   scripts/test.sh                       # g++ build in build/
#   SUNDIAL_SANITIZE=1 scripts/test.sh    # clang ASan+UBSan build in build-asan/
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh
if [ "${SUNDIAL_SANITIZE:-0}" = 1 ]; then
  build_dir=${SUNDIAL_BUILD_DIR:-build-asan}
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  build_dir=${SUNDIAL_BUILD_DIR:-build}
fi
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 600
