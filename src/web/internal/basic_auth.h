// BasicAuthChecker: checks an "Authorization: Basic ..." header against the users of
// --web.config.file, whose passwords are bcrypt hashes ($2a$, $2b$, $2y$), as the exporter
// toolkit does. Results are cached by (hash, user, password) digest, so a client that sends the
// same credentials on every request pays bcrypt's cost once. Thread-safe.
#ifndef SUNDIAL_WEB_INTERNAL_BASIC_AUTH_H_
#define SUNDIAL_WEB_INTERNAL_BASIC_AUTH_H_

#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace sundial::web::internal {

class BasicAuthChecker {
 public:
  // users: user name -> bcrypt hash.
  explicit BasicAuthChecker(std::map<std::string, std::string> users);

  // True when the header carries a configured user and that user's password. An unknown user
  // costs a bcrypt comparison too, so response times do not reveal which users exist.
  bool Check(std::string_view authorization_header);

 private:
  const std::map<std::string, std::string> users_;
  std::mutex mu_;
  absl::flat_hash_map<std::string, bool> cache_;  // GUARDED_BY(mu_); key: SHA-256 digest
};

// True when password matches the bcrypt hash (false for a malformed hash).
bool BcryptMatches(const std::string& password, const std::string& hash);

}  // namespace sundial::web::internal

#endif  // SUNDIAL_WEB_INTERNAL_BASIC_AUTH_H_
