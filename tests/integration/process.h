// Test helpers: run a child process with captured output, and speak plain HTTP/1.1 to it.
#ifndef SUNDIAL_TESTS_INTEGRATION_PROCESS_H_
#define SUNDIAL_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace sundial::testing {

// The result of running a command to completion.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] is a path) to completion, capturing stdout and stderr.
RunResult RunToCompletion(const std::vector<std::string>& argv);

// A child process whose stderr is collected in the background.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();  // SIGKILLs the child if still running

  pid_t pid() const { return pid_; }
  // Everything the child wrote to stderr so far.
  std::string Stderr();
  // Waits until stderr contains needle; returns false on timeout or exit.
  bool WaitForStderr(const std::string& needle, std::chrono::milliseconds timeout);
  void Signal(int sig);
  // Waits for exit and returns the exit code (128+signal if killed); -1 on timeout.
  int Wait(std::chrono::milliseconds timeout);

 private:
  void Drain(std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int err_fd_ = -1;
  std::string err_;
  int exit_code_ = -1;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// One request on a fresh connection to 127.0.0.1:port ("Connection: close"). status 0 when
// the connection failed. A body is sent form-encoded unless headers name a Content-Type;
// headers are "Name: value" lines without CRLF.
HttpResult HttpRequest(int port, const std::string& method, const std::string& target,
                       const std::string& body = "", const std::vector<std::string>& headers = {});

// A fresh empty directory under the temp dir, left in place: for the bench drivers, whose files
// are kept for a look afterwards. Tests use the self-removing TempDir (testing/temp_dir.h).
std::string MakeTempDir();

// An ephemeral TCP port on 127.0.0.1 that was free a moment ago (0 if none).
int PickFreePort();

}  // namespace sundial::testing

#endif  // SUNDIAL_TESTS_INTEGRATION_PROCESS_H_
