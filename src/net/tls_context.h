// TlsContextSource: the OpenSSL client context built from TlsOptions, rebuilt when one of its
// files (ca_file, cert_file, key_file) changes on disk. Internal to net/.
//
// Thread-safe. Contexts handed out stay valid as long as their shared_ptr is held.
#ifndef SUNDIAL_NET_TLS_CONTEXT_H_
#define SUNDIAL_NET_TLS_CONTEXT_H_

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "net/client_options.h"

namespace boost::asio::ssl {
class context;
}
struct ssl_st;

namespace sundial::net {

class TlsContextSource {
 public:
  // Validates the options and loads every file; errors name the offending field and file.
  static absl::StatusOr<std::unique_ptr<TlsContextSource>> Create(const TlsOptions& options);
  ~TlsContextSource();

  // The current context, rebuilt first if a file's mtime or size changed.
  absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> Get();

  // Sets SNI (server_name, else the host unless it is an IP literal) and, unless
  // insecure_skip_verify, the name or IP the peer certificate must match.
  void PrepareConnection(ssl_st* ssl, const std::string& host) const;

 private:
  struct FileStamp {
    std::string path;
    struct timespec mtime = {};
    long long size = -1;
  };
  explicit TlsContextSource(TlsOptions options) : options_(std::move(options)) {}
  absl::Status Rebuild();  // REQUIRES: mu_ held
  bool FilesChanged();     // REQUIRES: mu_ held; refreshes stamps_

  const TlsOptions options_;
  std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::vector<FileStamp> stamps_;
};

}  // namespace sundial::net

#endif  // SUNDIAL_NET_TLS_CONTEXT_H_
