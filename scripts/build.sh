#!/usr/bin/env bash
# Configures and builds Sundial into a build directory.
#   scripts/build.sh                 # build/ with g++, RelWithDebInfo, tests and benchmarks
#   SUNDIAL_SANITIZE=1 scripts/build.sh   # build-asan/ with clang, ASan+UBSan, tests only
# Extra arguments are passed to `cmake --build` (for example `--target sundial`).
set -euo pipefail
cd "$(dirname "$0")/.."
# Let ccache share objects between clones at different paths (CI clones afresh) and between
# build directories of one clone: paths under the clone are hashed relative to it, and the
# compiling directory, which -g would otherwise add to every hash, is left out.
export CCACHE_BASEDIR="$PWD"
export CCACHE_NOHASHDIR=1

if [ "${SUNDIAL_SANITIZE:-0}" = 1 ]; then
  build_dir=${SUNDIAL_BUILD_DIR:-build-asan}
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DSUNDIAL_SANITIZE=ON -DSUNDIAL_BUILD_BENCH=OFF >/dev/null
else
  build_dir=${SUNDIAL_BUILD_DIR:-build}
  cmake -S . -B "$build_dir" -G Ninja >/dev/null
fi
cmake --build "$build_dir" "$@"
