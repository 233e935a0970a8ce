// WaitUntil: polls a condition that other threads make true, for tests that must not depend on
// how fast those threads run (a host that steals CPU deschedules them for tens of ms at a time).
#ifndef SUNDIAL_TESTS_TESTING_WAIT_UNTIL_H_
#define SUNDIAL_TESTS_TESTING_WAIT_UNTIL_H_

#include <chrono>
#include <thread>

namespace sundial::testing {

// True as soon as condition() holds; once timeout has passed, its last value. The default is
// generous on purpose: it bounds a failing test, it is not what the test measures.
template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return condition();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace sundial::testing

#endif  // SUNDIAL_TESTS_TESTING_WAIT_UNTIL_H_
