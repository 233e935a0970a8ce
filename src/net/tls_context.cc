#include "net/tls_context.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>

#include "base/str_cat.h"
#include "net/secret.h"

namespace sundial::net {
namespace ssl = boost::asio::ssl;

namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

absl::StatusOr<int> ProtocolVersion(const std::string& name) {
  if (name.empty() || name == "TLS12") return TLS1_2_VERSION;
  if (name == "TLS13") return TLS1_3_VERSION;
  if (name == "TLS11") return TLS1_1_VERSION;
  if (name == "TLS10") return TLS1_VERSION;
  return absl::InvalidArgumentError(StrCat("unknown TLS version: ", name));
}

absl::Status Exclusive(const std::string& a, const std::string& b, std::string_view what) {
  if (!a.empty() && !b.empty()) {
    return absl::InvalidArgumentError(StrCat("at most one of ", what, " must be configured"));
  }
  return absl::OkStatus();
}

// Inline PEM text, else the file's content, else "".
absl::StatusOr<std::string> Pem(const std::string& text, const std::string& file,
                                std::string_view what) {
  if (!file.empty()) return ReadFileForNet(file, what);
  return text;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsContextSource>> TlsContextSource::Create(
    const TlsOptions& options) {
  if (absl::Status s = Exclusive(options.ca, options.ca_file, "ca and ca_file"); !s.ok()) return s;
  if (absl::Status s = Exclusive(options.cert, options.cert_file, "cert and cert_file"); !s.ok()) {
    return s;
  }
  if (absl::Status s = Exclusive(options.key, options.key_file, "key and key_file"); !s.ok()) {
    return s;
  }
  const bool has_cert = !options.cert.empty() || !options.cert_file.empty();
  const bool has_key = !options.key.empty() || !options.key_file.empty();
  if (has_cert && !has_key) {
    return absl::InvalidArgumentError(
        "exactly one of key or key_file must be configured when a "
        "client certificate is configured");
  }
  if (has_key && !has_cert) {
    return absl::InvalidArgumentError(
        "exactly one of cert or cert_file must be configured when a "
        "client key is configured");
  }
  if (absl::StatusOr<int> v = ProtocolVersion(options.min_version); !v.ok()) return v.status();
  std::unique_ptr<TlsContextSource> source(new TlsContextSource(options));
  for (const std::string* path : {&options.ca_file, &options.cert_file, &options.key_file}) {
    if (!path->empty()) source->stamps_.push_back(FileStamp{.path = *path});
  }
  std::lock_guard<std::mutex> lock(source->mu_);
  source->FilesChanged();
  if (absl::Status s = source->Rebuild(); !s.ok()) return s;
  return source;
}

TlsContextSource::~TlsContextSource() = default;

absl::StatusOr<std::shared_ptr<ssl::context>> TlsContextSource::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (FilesChanged()) {
    if (absl::Status s = Rebuild(); !s.ok()) return s;
  }
  return context_;
}

bool TlsContextSource::FilesChanged() {
  bool changed = false;
  for (FileStamp& stamp : stamps_) {
    struct stat st;
    if (::stat(stamp.path.c_str(), &st) != 0) {
      // Unreadable now: force a rebuild so the error surfaces.
      changed = true;
      stamp.size = -1;
      continue;
    }
    if (st.st_mtim.tv_sec != stamp.mtime.tv_sec || st.st_mtim.tv_nsec != stamp.mtime.tv_nsec ||
        st.st_size != stamp.size) {
      changed = true;
      stamp.mtime = st.st_mtim;
      stamp.size = st.st_size;
    }
  }
  return changed;
}

absl::Status TlsContextSource::Rebuild() {
  try {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), *ProtocolVersion(options_.min_version));
    boost::system::error_code ec;
    if (options_.insecure_skip_verify) {
      ctx->set_verify_mode(ssl::verify_none, ec);
    } else {
      ctx->set_verify_mode(ssl::verify_peer, ec);
      absl::StatusOr<std::string> ca = Pem(options_.ca, options_.ca_file, "CA file");
      if (!ca.ok()) return ca.status();
      if (ca->empty()) {
        ctx->set_default_verify_paths(ec);
      } else {
        ctx->add_certificate_authority(boost::asio::buffer(*ca), ec);
        if (ec) {
          return absl::InvalidArgumentError(
              StrCat("unable to use specified CA cert ", options_.ca_file, ": ", ec.message()));
        }
      }
    }
    absl::StatusOr<std::string> cert = Pem(options_.cert, options_.cert_file, "client cert file");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = Pem(options_.key, options_.key_file, "client key file");
    if (!key.ok()) return key.status();
    if (!cert->empty()) {
      ctx->use_certificate_chain(boost::asio::buffer(*cert), ec);
      if (!ec) ctx->use_private_key(boost::asio::buffer(*key), ssl::context::pem, ec);
      if (ec) {
        return absl::InvalidArgumentError(StrCat("unable to use specified client cert (",
                                                 options_.cert_file, ") & key (", options_.key_file,
                                                 "): ", ec.message()));
      }
    }
    context_ = std::move(ctx);
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::InternalError(StrCat("TLS setup failed: ", e.what()));
  }
}

void TlsContextSource::PrepareConnection(ssl_st* ssl, const std::string& host) const {
  const std::string& name = options_.server_name.empty() ? host : options_.server_name;
  const bool ip = IsIpLiteral(name);
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (options_.insecure_skip_verify) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  }
}

}  // namespace sundial::net
