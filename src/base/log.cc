#include "base/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "absl/strings/str_format.h"

namespace sundial {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::atomic<LogFormat> g_format{LogFormat::kLogfmt};
std::atomic<int> g_fd{2};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// RFC 3339 with milliseconds in UTC, like Prometheus' logger.
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm;
  gmtime_r(&secs, &tm);
  return absl::StrFormat("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

void AppendEscaped(std::string* out, std::string_view s) {
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
}

bool NeedsLogfmtQuotes(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7f) return true;
  }
  return false;
}

void AppendLogfmt(std::string* out, std::string_view key, std::string_view value) {
  if (!out->empty()) out->push_back(' ');
  out->append(key);
  out->push_back('=');
  if (NeedsLogfmtQuotes(value)) {
    out->push_back('"');
    AppendEscaped(out, value);
    out->push_back('"');
  } else {
    out->append(value);
  }
}

void AppendJson(std::string* out, std::string_view key, std::string_view value, bool quoted) {
  out->append(out->size() == 1 ? "\"" : ",\"");
  AppendEscaped(out, key);
  out->append("\":");
  if (quoted) {
    out->push_back('"');
    AppendEscaped(out, value);
    out->push_back('"');
  } else {
    out->append(value);
  }
}

}  // namespace

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError}) {
    if (text == LevelName(l)) return l;
  }
  return absl::InvalidArgumentError(StrCat("unrecognized log level ", text));
}

absl::StatusOr<LogFormat> ParseLogFormat(std::string_view text) {
  if (text == "logfmt") return LogFormat::kLogfmt;
  if (text == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(StrCat("unrecognized log format ", text));
}

void ConfigureLogging(LogLevel level, LogFormat format) {
  g_level.store(level);
  g_format.store(format);
}

void SetLogFd(int fd) { g_fd.store(fd); }

void Logger::Log(LogLevel level, std::string_view msg,
                 std::initializer_list<LogField> fields) const {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  std::string line;
  line.reserve(128);
  if (g_format.load(std::memory_order_relaxed) == LogFormat::kJson) {
    line.push_back('{');
    AppendJson(&line, "ts", Timestamp(), true);
    AppendJson(&line, "level", LevelName(level), true);
    AppendJson(&line, "component", component_, true);
    AppendJson(&line, "msg", msg, true);
    for (const LogField& f : fields) AppendJson(&line, f.key, f.value, f.quoted_in_json);
    line.push_back('}');
  } else {
    AppendLogfmt(&line, "ts", Timestamp());
    AppendLogfmt(&line, "level", LevelName(level));
    AppendLogfmt(&line, "component", component_);
    AppendLogfmt(&line, "msg", msg);
    for (const LogField& f : fields) AppendLogfmt(&line, f.key, f.value);
  }
  line.push_back('\n');
  // One write per record keeps lines whole when threads log at once.
  const char* p = line.data();
  size_t left = line.size();
  int fd = g_fd.load(std::memory_order_relaxed);
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace sundial
