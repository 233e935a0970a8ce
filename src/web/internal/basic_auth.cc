#include "web/internal/basic_auth.h"

#include <crypt.h>
#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "base/str_cat.h"
#include "web/internal/url.h"

namespace sundial::web::internal {
namespace {

// Compared against when the user is unknown; a bcrypt hash of a password nobody knows.
constexpr char kDummyHash[] = "$2y$10$xTdg77Bm6vWjT8HOuz9S/Oscp4oxf5hC5yJ2dPlkgb/gPJoBxZU3q";
// Bounds the cache; it is cleared when full (entries are cheap to recompute, just slow).
constexpr size_t kMaxCacheEntries = 1024;

// Go's Request.BasicAuth: "Basic " (any case) and base64 of "user:password".
bool ParseBasicAuth(std::string_view header, std::string* user, std::string* password) {
  constexpr std::string_view kPrefix = "Basic ";
  if (header.size() < kPrefix.size() || !EqualsIgnoreCase(header.substr(0, 6), kPrefix)) {
    return false;
  }
  std::string decoded;
  if (!absl::Base64Unescape(AsAbsl(header.substr(kPrefix.size())), &decoded)) return false;
  size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  *user = decoded.substr(0, colon);
  *password = decoded.substr(colon + 1);
  return true;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

bool BcryptMatches(const std::string& password, const std::string& hash) {
  auto data = std::make_unique<crypt_data>();
  const char* out = crypt_r(password.c_str(), hash.c_str(), data.get());
  // A failed crypt_r returns null or a string starting with '*'.
  if (out == nullptr || out[0] == '*') return false;
  std::string_view computed(out);
  if (computed.size() != hash.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < hash.size(); ++i)
    diff |= static_cast<unsigned char>(computed[i] ^ hash[i]);
  return diff == 0;
}

BasicAuthChecker::BasicAuthChecker(std::map<std::string, std::string> users)
    : users_(std::move(users)) {}

bool BasicAuthChecker::Check(std::string_view authorization_header) {
  std::string user, password;
  if (!ParseBasicAuth(authorization_header, &user, &password)) return false;
  auto it = users_.find(user);
  bool known = it != users_.end();
  const std::string hash = known ? it->second : kDummyHash;
  std::string key =
      Sha256(StrCat(hash, std::string_view("\0", 1), user, std::string_view("\0", 1), password));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto cached = cache_.find(key);
    if (cached != cache_.end()) return cached->second;
  }
  bool ok = BcryptMatches(password, hash) && known;
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxCacheEntries) cache_.clear();
  cache_.emplace(std::move(key), ok);
  return ok;
}

}  // namespace sundial::web::internal
