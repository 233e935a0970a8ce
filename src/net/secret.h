// Secret: a credential given inline or by file, as Prometheus' `password` / `password_file`.
// A file is read at Create() and re-read whenever its modification time or size changes, so
// rotated tokens are picked up without a reload. Surrounding whitespace is trimmed, as in
// Prometheus. Internal to net/.
//
// Thread-safe.
#ifndef SUNDIAL_NET_SECRET_H_
#define SUNDIAL_NET_SECRET_H_

#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sundial::net {

class Secret {
 public:
  // `what` names the secret in errors, e.g. "authorization credentials file".
  // An empty path makes a constant secret with `value`.
  static absl::StatusOr<std::unique_ptr<Secret>> Create(std::string_view value,
                                                        std::string_view path,
                                                        std::string_view what);

  // The current value; an error if the file became unreadable.
  absl::StatusOr<std::string> Get();

 private:
  Secret(std::string value, std::string path, std::string what)
      : value_(std::move(value)), path_(std::move(path)), what_(std::move(what)) {}
  absl::Status Refresh();  // REQUIRES: mu_ held

  std::mutex mu_;
  std::string value_;
  const std::string path_;
  const std::string what_;
  struct timespec mtime_ = {};
  long long size_ = -1;
};

// Reads a whole file; errors name the file: `unable to read CA file "x": No such file or
// directory`.
absl::StatusOr<std::string> ReadFileForNet(std::string_view path, std::string_view what);

}  // namespace sundial::net

#endif  // SUNDIAL_NET_SECRET_H_
