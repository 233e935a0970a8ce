// Structured logging in logfmt (default) or JSON, one line per record:
//   ts=2026-11-21T10:00:00.123Z level=info component=web msg="Listening" address=:9090
//
//   static const Logger kLog("tsdb");
//   kLog.Info("WAL replay completed", {{"segments", 12}, {"duration", "1.2s"}});
//
// Thread-safe: each record is formatted on the caller's thread and written with one write(2).
#ifndef SUNDIAL_BASE_LOG_H_
#define SUNDIAL_BASE_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/str_cat.h"

namespace sundial {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class LogFormat { kLogfmt, kJson };

absl::StatusOr<LogLevel> ParseLogLevel(std::string_view text);    // debug|info|warn|error
absl::StatusOr<LogFormat> ParseLogFormat(std::string_view text);  // logfmt|json

// Process-wide settings; records below the level are dropped. Output goes to fd 2 unless
// SetLogFd names another (tests capture into a pipe).
void ConfigureLogging(LogLevel level, LogFormat format);
void SetLogFd(int fd);

// One key=value pair. Numbers and bools are written bare in JSON, everything else as a string.
struct LogField {
  template <typename T>
  requires std::is_arithmetic_v<T> LogField(std::string_view k, T v)
      : key(k),
        value(std::is_same_v<T, bool> ? (v ? "true" : "false") : StrCat(v)),
        quoted_in_json(false) {}
  LogField(std::string_view k, std::string_view v) : key(k), value(v), quoted_in_json(true) {}
  LogField(std::string_view k, const char* v) : key(k), value(v), quoted_in_json(true) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v), quoted_in_json(true) {}
  LogField(std::string_view k, const absl::Status& s)
      : key(k), value(AsStd(s.message())), quoted_in_json(true) {}

  std::string_view key;
  std::string value;
  bool quoted_in_json;
};

class Logger {
 public:
  explicit Logger(std::string_view component) : component_(component) {}

  void Debug(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kDebug, msg, fields);
  }
  void Info(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kInfo, msg, fields);
  }
  void Warn(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kWarn, msg, fields);
  }
  void Error(std::string_view msg, std::initializer_list<LogField> fields = {}) const {
    Log(LogLevel::kError, msg, fields);
  }
  void Log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) const;

 private:
  std::string component_;
};

}  // namespace sundial

#endif  // SUNDIAL_BASE_LOG_H_
