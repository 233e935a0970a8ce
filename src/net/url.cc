#include "net/url.h"

#include <charconv>

#include "base/str_cat.h"

namespace sundial::net {
namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsControlOrSpace(char c) {
  return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

absl::StatusOr<std::string> PercentDecode(std::string_view in, std::string_view whole) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) {
      return absl::InvalidArgumentError(StrCat("parse ", '"', whole, '"', ": invalid URL escape"));
    }
    int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(StrCat("parse ", '"', whole, '"', ": invalid URL escape"));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

absl::Status ParseError(std::string_view whole, std::string_view why) {
  return absl::InvalidArgumentError(StrCat("parse \"", whole, "\": ", why));
}

}  // namespace

std::string Url::Authority() const {
  return host_is_ipv6() ? StrCat("[", host, "]:", port) : StrCat(host, ":", port);
}

std::string Url::HostHeader() const {
  std::string h = host_is_ipv6() ? StrCat("[", host, "]") : host;
  const uint16_t default_port = is_https() ? 443 : 80;
  if (port != default_port) StrAppend(&h, ":", port);
  return h;
}

std::string Url::String() const { return StrCat(scheme, "://", HostHeader(), target); }

absl::StatusOr<Url> ParseUrl(std::string_view text) {
  for (char c : text) {
    if (IsControlOrSpace(c)) return ParseError(text, "invalid character in URL");
  }
  Url url;
  const size_t colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return ParseError(text, "missing protocol scheme");
  }
  url.scheme = ToLower(text.substr(0, colon));
  if (url.scheme != "http" && url.scheme != "https") {
    return absl::InvalidArgumentError(StrCat("unsupported protocol scheme \"", url.scheme, "\""));
  }
  std::string_view rest = text.substr(colon + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t end_of_authority = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end_of_authority);
  std::string_view target =
      end_of_authority == std::string_view::npos ? "" : rest.substr(end_of_authority);

  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    url.has_userinfo = true;
    const size_t sep = userinfo.find(':');
    auto user = PercentDecode(userinfo.substr(0, sep), text);
    if (!user.ok()) return user.status();
    url.username = *std::move(user);
    if (sep != std::string_view::npos) {
      auto pass = PercentDecode(userinfo.substr(sep + 1), text);
      if (!pass.ok()) return pass.status();
      url.password = *std::move(pass);
    }
  }

  std::string_view host;
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return ParseError(text, "missing ']' in host");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return ParseError(text, "invalid character after IPv6 host");
      port_text = after.substr(1);
      url.explicit_port = true;
    }
    if (host.find(':') == std::string_view::npos) return ParseError(text, "invalid IPv6 host");
  } else {
    const size_t sep = authority.rfind(':');
    host = authority.substr(0, sep);
    if (sep != std::string_view::npos) {
      port_text = authority.substr(sep + 1);
      url.explicit_port = true;
    }
    if (host.find(':') != std::string_view::npos) {
      return ParseError(text, "IPv6 host must be in brackets");
    }
  }
  if (host.empty()) return ParseError(text, "missing host");
  for (char c : host) {
    if (c == '%' || c == '[' || c == ']' || c == '\\' || c == '"' || c == '<' || c == '>') {
      if (c == '%' && host.find(':') != std::string_view::npos) continue;  // IPv6 zone
      return ParseError(text, "invalid character in host name");
    }
  }
  url.host = ToLower(host);

  if (url.explicit_port) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        value == 0 || value > 65535) {
      return ParseError(text, StrCat("invalid port \":", port_text, "\" after host"));
    }
    url.port = static_cast<uint16_t>(value);
  } else {
    url.port = url.is_https() ? 443 : 80;
  }

  url.target = target.empty() || target.front() == '?' ? StrCat("/", target) : std::string(target);
  return url;
}

absl::StatusOr<Url> ResolveReference(const Url& base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos) {
    const size_t scheme_end = ref.find("://");
    // Only treat it as absolute when everything before :// is a scheme.
    if (ref.substr(0, scheme_end).find_first_of("/?#") == std::string_view::npos) {
      return ParseUrl(ref);
    }
  }
  if (ref.starts_with("//")) return ParseUrl(StrCat(base.scheme, ":", ref));
  std::string prefix = StrCat(base.scheme, "://", base.Authority());
  if (size_t hash = ref.find('#'); hash != std::string_view::npos) ref = ref.substr(0, hash);
  if (ref.empty()) return ParseUrl(StrCat(prefix, base.target));
  if (ref.front() == '/') return ParseUrl(StrCat(prefix, ref));
  std::string_view base_path = base.target;
  base_path = base_path.substr(0, base_path.find('?'));
  if (ref.front() == '?') return ParseUrl(StrCat(prefix, base_path, ref));
  base_path = base_path.substr(0, base_path.rfind('/') + 1);
  return ParseUrl(StrCat(prefix, base_path, ref));
}

}  // namespace sundial::net
