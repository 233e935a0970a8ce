// A tiny blocking HTTP/1.1 client over POSIX sockets for the server tests: it writes raw bytes
// and parses responses (Content-Length, chunked, or until EOF), so tests see exactly what the
// server put on the wire.
#ifndef SUNDIAL_TESTS_WEB_TEST_CLIENT_H_
#define SUNDIAL_TESTS_WEB_TEST_CLIENT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sundial::web::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked, not decompressed
  size_t chunks = 0;                           // chunks received with chunked encoding

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class TestConnection {
 public:
  // Connects to 127.0.0.1:port; reads time out after 10 s.
  explicit TestConnection(int port);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool Send(std::string_view data);
  // Reads one response; nullopt on EOF, error or timeout. head_request: no body follows.
  std::optional<TestResponse> Read(bool head_request = false);
  // True iff the peer closes (EOF or reset) within timeout_ms without sending anything more.
  bool WaitClosed(int timeout_ms);

 private:
  bool Fill();  // reads more into buffer_; false on EOF/error
  std::optional<std::string> ReadLine();
  bool ReadExactly(size_t n, std::string* out);

  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection ("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").
std::optional<TestResponse> Fetch(int port, std::string_view method, std::string_view target,
                                  std::string_view extra_headers = "", std::string_view body = "");

// True iff connect() to 127.0.0.1:port fails.
bool ConnectionRefused(int port);

std::string Gunzip(std::string_view data);

}  // namespace sundial::web::testing

#endif  // SUNDIAL_TESTS_WEB_TEST_CLIENT_H_
