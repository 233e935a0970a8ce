#include "discovery/dns_message.h"

#include <cstdio>

#include "absl/status/status.h"
#include "base/str_cat.h"

namespace sundial::discovery::dns {
namespace {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxLabelLength = 63;
constexpr uint16_t kClassIn = 1;
constexpr uint16_t kEdnsUdpSize = 4096;  // miekg/dns' DefaultMsgSize, as Prometheus sends

void Put16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v & 0xff));
}

absl::Status Malformed(std::string_view what) {
  return absl::DataLossError(StrCat("malformed DNS message: ", what));
}

// Reads big-endian integers and names from a message, bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view wire) : wire_(wire) {}

  size_t pos() const { return pos_; }
  void Seek(size_t pos) { pos_ = pos; }
  bool Skip(size_t n) {
    if (wire_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool U16(uint16_t* v) {
    if (wire_.size() - pos_ < 2) return false;
    *v = static_cast<uint16_t>(Byte(pos_) << 8 | Byte(pos_ + 1));
    pos_ += 2;
    return true;
  }
  bool U32(uint32_t* v) {
    uint16_t hi, lo;
    if (!U16(&hi) || !U16(&lo)) return false;
    *v = static_cast<uint32_t>(hi) << 16 | lo;
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (wire_.size() - pos_ < n) return false;
    *out = wire_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // A possibly compressed name, rendered as miekg/dns does: fully qualified, special characters
  // backslash-escaped, other bytes outside printable ASCII as \DDD.
  absl::Status Name(std::string* out) {
    out->clear();
    size_t p = pos_;
    size_t end = 0;  // where reading continues after the first pointer
    int jumps = 0;
    size_t length = 0;  // wire length of the labels, as limited by RFC 1035
    for (;;) {
      if (p >= wire_.size()) return Malformed("name extends past the end");
      const uint8_t len = Byte(p);
      if ((len & 0xc0) == 0xc0) {
        if (p + 1 >= wire_.size()) return Malformed("truncated compression pointer");
        const size_t target = static_cast<size_t>(len & 0x3f) << 8 | Byte(p + 1);
        if (++jumps > 64) return Malformed("too many compression pointers");
        if (end == 0) end = p + 2;
        p = target;
        continue;
      }
      if ((len & 0xc0) != 0) return Malformed("unsupported label type");
      if (len == 0) {
        if (end == 0) end = p + 1;
        break;
      }
      if (p + 1 + len > wire_.size()) return Malformed("label extends past the end");
      length += len + 1;
      if (length > kMaxNameLength) return Malformed("name too long");
      AppendLabel(out, wire_.substr(p + 1, len));
      out->push_back('.');
      p += 1 + len;
    }
    if (out->empty()) out->push_back('.');
    pos_ = end;
    return absl::OkStatus();
  }

 private:
  uint8_t Byte(size_t i) const { return static_cast<uint8_t>(wire_[i]); }

  static void AppendLabel(std::string* out, std::string_view label) {
    for (char ch : label) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '.':
        case ' ':
        case '\'':
        case '@':
        case ';':
        case '(':
        case ')':
        case '"':
        case '\\':
          out->push_back('\\');
          out->push_back(static_cast<char>(c));
          break;
        default:
          if (c < ' ' || c > '~') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
            out->append(buf);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
    }
  }

  std::string_view wire_;
  size_t pos_ = 0;
};

bool IsZero(std::string_view b) {
  for (char c : b) {
    if (c != 0) return false;
  }
  return true;
}

// Decodes one resource record; rdata of known types is checked against its length.
absl::Status DecodeRecord(std::string_view wire, Reader& r, Record* rec) {
  if (absl::Status s = r.Name(&rec->name); !s.ok()) return s;
  uint16_t rdlength;
  if (!r.U16(&rec->type) || !r.U16(&rec->klass) || !r.U32(&rec->ttl) || !r.U16(&rdlength)) {
    return Malformed("truncated resource record");
  }
  const size_t rdata_start = r.pos();
  std::string_view rdata;
  if (!r.Bytes(rdlength, &rdata)) return Malformed("resource data extends past the end");
  // Names inside rdata may point anywhere in the message: read them over the whole message.
  Reader rd(wire);
  rd.Seek(rdata_start);
  const size_t rdata_end = r.pos();
  switch (rec->type) {
    case kA:
      if (rdata.size() != 4) return Malformed("A record of wrong length");
      rec->address = FormatIp(rdata);
      return absl::OkStatus();
    case kAaaa:
      if (rdata.size() != 16) return Malformed("AAAA record of wrong length");
      rec->address = FormatIp(rdata);
      return absl::OkStatus();
    case kSrv:
      if (!rd.U16(&rec->priority) || !rd.U16(&rec->weight) || !rd.U16(&rec->port)) {
        return Malformed("truncated SRV record");
      }
      break;
    case kMx:
      if (!rd.U16(&rec->priority)) return Malformed("truncated MX record");
      break;
    case kNs:
    case kCname:
      break;
    default:
      return absl::OkStatus();
  }
  if (rd.pos() > rdata_end) return Malformed("resource data extends past its length");
  if (absl::Status s = rd.Name(&rec->target); !s.ok()) return s;
  if (rd.pos() != rdata_end) return Malformed("resource data length mismatch");
  return absl::OkStatus();
}

}  // namespace

uint16_t RecordTypeFromName(std::string_view name) {
  if (name == "A") return kA;
  if (name == "AAAA") return kAaaa;
  if (name == "SRV") return kSrv;
  if (name == "MX") return kMx;
  if (name == "NS") return kNs;
  if (name == "CNAME") return kCname;
  return 0;
}

absl::StatusOr<std::string> EncodeQuery(uint16_t id, std::string_view name, uint16_t type,
                                        bool edns) {
  if (name.empty() || name.back() != '.') {
    return absl::InvalidArgumentError(StrCat("name not fully qualified: ", name));
  }
  std::string out;
  Put16(&out, id);
  Put16(&out, 0x0100);  // RD
  Put16(&out, 1);       // QDCOUNT
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, edns ? 1 : 0);  // ARCOUNT
  size_t length = 0;
  if (name != ".") {
    std::string_view rest = name.substr(0, name.size() - 1);
    while (true) {
      const size_t dot = rest.find('.');
      std::string_view label = rest.substr(0, dot);
      if (label.empty()) return absl::InvalidArgumentError(StrCat("empty label in ", name));
      if (label.size() > kMaxLabelLength) {
        return absl::InvalidArgumentError(StrCat("label too long in ", name));
      }
      out.push_back(static_cast<char>(label.size()));
      out.append(label);
      length += label.size() + 1;
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
  }
  if (length + 1 > kMaxNameLength)
    return absl::InvalidArgumentError(StrCat("name too long: ", name));
  out.push_back(0);
  Put16(&out, type);
  Put16(&out, kClassIn);
  if (edns) {
    out.push_back(0);  // root owner
    Put16(&out, kOpt);
    Put16(&out, kEdnsUdpSize);
    Put16(&out, 0);  // extended RCODE, version
    Put16(&out, 0);  // flags (DO unset)
    Put16(&out, 0);  // no options
  }
  return out;
}

absl::StatusOr<Message> DecodeMessage(std::string_view wire) {
  Reader r(wire);
  Message m;
  uint16_t flags, qdcount, ancount, nscount, arcount;
  if (!r.U16(&m.id) || !r.U16(&flags) || !r.U16(&qdcount) || !r.U16(&ancount) || !r.U16(&nscount) ||
      !r.U16(&arcount)) {
    return Malformed("truncated header");
  }
  m.response = (flags & 0x8000) != 0;
  m.truncated = (flags & 0x0200) != 0;
  m.rcode = flags & 0x000f;
  std::string name;
  for (uint16_t i = 0; i < qdcount; ++i) {
    if (absl::Status s = r.Name(&name); !s.ok()) return s;
    if (!r.Skip(4)) return Malformed("truncated question");
  }
  for (uint16_t i = 0; i < ancount; ++i) {
    Record rec;
    absl::Status s = DecodeRecord(wire, r, &rec);
    if (!s.ok()) {
      // A truncated response keeps what fits; the caller retries over TCP anyway.
      if (m.truncated) break;
      return s;
    }
    m.answers.push_back(std::move(rec));
  }
  return m;
}

std::string FormatIp(std::string_view b) {
  auto byte = [&](size_t i) { return static_cast<unsigned>(static_cast<uint8_t>(b[i])); };
  if (b.size() == 16 && IsZero(b.substr(0, 10)) && byte(10) == 0xff && byte(11) == 0xff) {
    b.remove_prefix(12);
  }
  if (b.size() == 4) return StrCat(byte(0), ".", byte(1), ".", byte(2), ".", byte(3));
  if (b.size() != 16) return "?";
  uint16_t words[8];
  for (size_t i = 0; i < 8; ++i)
    words[i] = static_cast<uint16_t>(byte(2 * i) << 8 | byte(2 * i + 1));
  // The longest run of at least two zero words becomes "::" (the first one on a tie).
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  char buf[8];
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out.append("::");
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out.push_back(':');
    std::snprintf(buf, sizeof buf, "%x", static_cast<unsigned>(words[i]));
    out.append(buf);
  }
  return out;
}

std::string JoinHostPort(std::string_view host, uint32_t port) {
  if (host.find(':') != std::string_view::npos) return StrCat("[", host, "]:", port);
  return StrCat(host, ":", port);
}

}  // namespace sundial::discovery::dns
