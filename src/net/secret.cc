#include "net/secret.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "base/str_cat.h"

namespace sundial::net {
namespace {

std::string_view TrimSpace(std::string_view s) {
  const char* kSpace = " \t\r\n\v\f";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

}  // namespace

absl::StatusOr<std::string> ReadFileForNet(std::string_view path, std::string_view what) {
  std::string p(path);
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        StrCat("unable to read ", what, " \"", path, "\": ", std::strerror(errno)));
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    return absl::FailedPreconditionError(
        StrCat("unable to read ", what, " \"", path, "\": read error"));
  }
  return std::move(out).str();
}

absl::StatusOr<std::unique_ptr<Secret>> Secret::Create(std::string_view value,
                                                       std::string_view path,
                                                       std::string_view what) {
  std::unique_ptr<Secret> secret(
      new Secret(std::string(value), std::string(path), std::string(what)));
  if (!secret->path_.empty()) {
    std::lock_guard<std::mutex> lock(secret->mu_);
    if (absl::Status s = secret->Refresh(); !s.ok()) return s;
  }
  return secret;
}

absl::StatusOr<std::string> Secret::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!path_.empty()) {
    if (absl::Status s = Refresh(); !s.ok()) return s;
  }
  return value_;
}

absl::Status Secret::Refresh() {
  struct stat st;
  if (::stat(path_.c_str(), &st) != 0) {
    return absl::FailedPreconditionError(
        StrCat("unable to read ", what_, " \"", path_, "\": ", std::strerror(errno)));
  }
  if (st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
      st.st_size == size_) {
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> content = ReadFileForNet(path_, what_);
  if (!content.ok()) return content.status();
  value_ = std::string(TrimSpace(*content));
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  return absl::OkStatus();
}

}  // namespace sundial::net
