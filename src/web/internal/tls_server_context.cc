#include "web/internal/tls_server_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/str_cat.h"

namespace sundial::web::internal {
namespace {

namespace ssl = boost::asio::ssl;

int ProtocolVersion(std::string_view name) {
  if (name == "TLS10") return TLS1_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  return TLS1_2_VERSION;  // the config parser has rejected unknown names
}

// Go's TLS 1.2 cipher suite names and OpenSSL's for the same suites. Go's TLS 1.3 suites are
// not configurable (Go ignores them in CipherSuites), so they are accepted and ignored.
const std::map<std::string_view, std::string_view>& CipherNames() {
  static const auto* names = new std::map<std::string_view, std::string_view>{
      {"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"},
      {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
      {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
      {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"},
      {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
      {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "ECDHE-RSA-DES-CBC3-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
      {"TLS_AES_128_GCM_SHA256", ""},
      {"TLS_AES_256_GCM_SHA384", ""},
      {"TLS_CHACHA20_POLY1305_SHA256", ""},
  };
  return *names;
}

const std::map<std::string_view, std::string_view>& CurveNames() {
  static const auto* names = new std::map<std::string_view, std::string_view>{
      {"CurveP256", "P-256"}, {"CurveP384", "P-384"}, {"CurveP521", "P-521"}, {"X25519", "X25519"}};
  return *names;
}

// The subject alternative names of cert as Go's x509 package lists them: DNS names, e-mail
// addresses, IP addresses and URIs.
std::vector<std::string> SubjectAltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS || name->type == GEN_EMAIL || name->type == GEN_URI) {
      const ASN1_IA5STRING* s = name->d.ia5;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (name->type == GEN_IPADD) {
      const unsigned char* ip = ASN1_STRING_get0_data(name->d.ip);
      int len = ASN1_STRING_length(name->d.ip);
      if (len == 4) {
        boost::asio::ip::address_v4::bytes_type b;
        std::copy(ip, ip + 4, b.begin());
        out.push_back(boost::asio::ip::address_v4(b).to_string());
      } else if (len == 16) {
        boost::asio::ip::address_v6::bytes_type b;
        std::copy(ip, ip + 16, b.begin());
        out.push_back(boost::asio::ip::address_v6(b).to_string());
      }
    }
  }
  GENERAL_NAMES_free(names);
  return out;
}

// The reason OpenSSL gave for the last failure, for error messages.
std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

}  // namespace

absl::StatusOr<std::shared_ptr<ssl::context>> MakeTlsServerContext(
    const config::TlsServerConfig& tls) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  SSL_CTX_set_min_proto_version(native, ProtocolVersion(tls.min_version));
  SSL_CTX_set_max_proto_version(native, ProtocolVersion(tls.max_version));

  if (SSL_CTX_use_certificate_chain_file(native, tls.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(
        StrCat("failed to load X509KeyPair: cert_file ", tls.cert_file, ": ", OpenSslError()));
  }
  auto mismatch = [&] {
    return absl::InvalidArgumentError(StrCat("failed to load X509KeyPair: private key ",
                                             tls.key_file, " does not match public key in ",
                                             tls.cert_file));
  };
  if (SSL_CTX_use_PrivateKey_file(native, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return mismatch();
    }
    return absl::InvalidArgumentError(
        StrCat("failed to load X509KeyPair: key_file ", tls.key_file, ": ", OpenSslError()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return mismatch();
  }

  if (!tls.cipher_suites.empty()) {
    std::string list;
    for (const std::string& name : tls.cipher_suites) {
      auto it = CipherNames().find(name);
      if (it == CipherNames().end()) {
        return absl::InvalidArgumentError(StrCat("unknown cipher: ", name));
      }
      if (it->second.empty()) continue;
      if (!list.empty()) list += ':';
      list += it->second;
    }
    if (!list.empty() && SSL_CTX_set_cipher_list(native, list.c_str()) != 1) {
      return absl::InvalidArgumentError(
          StrCat("no usable cipher in cipher_suites: ", OpenSslError()));
    }
  }
  if (!tls.curve_preferences.empty()) {
    std::string list;
    for (const std::string& name : tls.curve_preferences) {
      auto it = CurveNames().find(name);
      if (it == CurveNames().end()) {
        return absl::InvalidArgumentError(StrCat("unknown curve: ", name));
      }
      if (!list.empty()) list += ':';
      list += it->second;
    }
    if (SSL_CTX_set1_groups_list(native, list.c_str()) != 1) {
      return absl::InvalidArgumentError(StrCat("bad curve_preferences: ", OpenSslError()));
    }
  }

  const std::string& auth = tls.client_auth_type;
  bool verify = auth == "VerifyClientCertIfGiven" || auth == "RequireAndVerifyClientCert";
  bool require = auth == "RequireAnyClientCert" || auth == "RequireAndVerifyClientCert";
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, tls.client_ca_file.c_str(), nullptr) != 1) {
      return absl::InvalidArgumentError(
          StrCat("client_ca_file ", tls.client_ca_file, ": ", OpenSslError()));
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
  }
  if (auth != "NoClientCert") {
    ssl::verify_mode mode = ssl::verify_peer;
    if (require) mode |= ssl::verify_fail_if_no_peer_cert;
    ctx->set_verify_mode(mode);
    std::vector<std::string> allowed = tls.client_allowed_sans;
    ctx->set_verify_callback([verify, allowed](bool preverified, ssl::verify_context& vctx) {
      X509_STORE_CTX* store = vctx.native_handle();
      if (verify && !preverified) return false;
      if (allowed.empty() || X509_STORE_CTX_get_error_depth(store) != 0) return true;
      for (const std::string& san : SubjectAltNames(X509_STORE_CTX_get_current_cert(store))) {
        for (const std::string& want : allowed) {
          if (san == want) return true;
        }
      }
      return false;
    });
  }
  return ctx;
}

}  // namespace sundial::web::internal
