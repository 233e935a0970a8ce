// FakeKubeApi: a scripted Kubernetes API server on 127.0.0.1 for discovery tests. GET requests
// for a path answer the list body the test set; requests with watch=true get a chunked 200
// response that stays open until the test sends events to it or ends it. Every request is
// recorded (target and headers) so tests can check paths, selectors and resourceVersions.
#ifndef SUNDIAL_TESTS_DISCOVERY_FAKE_KUBE_API_H_
#define SUNDIAL_TESTS_DISCOVERY_FAKE_KUBE_API_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sundial::discovery::testing {

struct KubeRequest {
  std::string path;                            // before '?'
  std::string target;                          // path and query as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  bool watch = false;
};

class FakeKubeApi {
 public:
  FakeKubeApi();
  ~FakeKubeApi();
  FakeKubeApi(const FakeKubeApi&) = delete;
  FakeKubeApi& operator=(const FakeKubeApi&) = delete;

  std::string url() const;  // "http://127.0.0.1:<port>"

  // The body answered (200, application/json) to a list of path; unknown paths get 404.
  void SetList(const std::string& path, std::string body);
  // The next watch request on path is answered with this status and body instead of a stream.
  void FailNextWatch(const std::string& path, int status, std::string body);
  // Writes one event (a JSON object, newline added) to every open watch of path.
  void SendEvent(const std::string& path, std::string_view event);
  // Ends every open watch of path: with the final chunk, or by closing the connection.
  void EndWatches(const std::string& path, bool abrupt);

  // Blocks until n watch (or list) requests for path have arrived in total; returns them.
  std::vector<KubeRequest> WaitForWatches(const std::string& path, size_t n);
  std::vector<KubeRequest> WaitForLists(const std::string& path, size_t n);
  std::vector<KubeRequest> requests() const;

 private:
  struct Watch {
    int fd;
    std::string path;
  };
  void AcceptLoop();
  void Serve(int fd);
  std::vector<KubeRequest> WaitFor(const std::string& path, size_t n, bool watch);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, std::string> lists_;
  std::map<std::string, std::vector<std::pair<int, std::string>>> failures_;
  std::vector<Watch> watches_;
  std::vector<KubeRequest> requests_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

// A watch event line: {"type":"<type>","object":<object>}.
std::string Event(std::string_view type, std::string_view object);
// A list body: {"kind":"List","metadata":{"resourceVersion":"<rv>"},"items":[<items>]}.
std::string ListBody(std::string_view resource_version, const std::vector<std::string>& items);

}  // namespace sundial::discovery::testing

#endif  // SUNDIAL_TESTS_DISCOVERY_FAKE_KUBE_API_H_
