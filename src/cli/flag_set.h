// A small command-line flag parser with kingpin's conventions, so Prometheus' flags spell the same:
//   --name=value, --name value, --bool-flag, --no-bool-flag, --bool-flag=false, repeated flags.
//
//   FlagSet flags("sundial", "The Sundial monitoring server");
//   flags.String("config.file", &opts.config_file, "Sundial configuration file path.");
//   flags.Duration("query.timeout", &opts.query_timeout, "Maximum time a query may take...");
//   ASSIGN_OR_RETURN(std::vector<std::string> args, flags.Parse(argv + 1, argv + argc));
//
// Typed flags start from the value the destination holds when registered; that value is the
// default shown in Usage(). Destinations must outlive the FlagSet. Not thread-safe.
#ifndef SUNDIAL_CLI_FLAG_SET_H_
#define SUNDIAL_CLI_FLAG_SET_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/duration.h"

namespace sundial::cli {

class FlagSet {
 public:
  using Setter = std::function<absl::Status(std::string_view value)>;

  FlagSet(std::string program, std::string description);

  void String(std::string name, std::string* dst, std::string help);
  void Bool(std::string name, bool* dst, std::string help);
  void Int(std::string name, int64_t* dst, std::string help);
  void Float(std::string name, double* dst, std::string help);
  void Duration(std::string name, sundial::Duration* dst, std::string help);
  // Repeatable; each occurrence appends (comma-separated values are split when split_commas).
  void Strings(std::string name, std::vector<std::string>* dst, std::string help,
               bool split_commas = false);
  // Any other type: setter parses and stores; default_text is shown in Usage(). Values() shows
  // the text last given, or unset_value() (default_text when null) if the flag was not given.
  void Custom(std::string name, Setter setter, std::string default_text, std::string help,
              std::function<std::string()> unset_value = nullptr);
  // Parsed like the others but left out of Usage() (Prometheus hides some flags too).
  void Hide(std::string_view name);

  // Parses flags from [begin, end); returns the positional arguments in order. "--" ends flags.
  // Errors name the flag: `unknown long flag '--foo'`, `expected argument for flag '--x'`,
  // `invalid value "abc" for flag '--query.timeout': not a valid duration string: "abc"`.
  absl::StatusOr<std::vector<std::string>> Parse(char* const* begin, char* const* end);

  // Whether the flag was given on the command line.
  bool IsSet(std::string_view name) const;

  std::string Usage() const;

  // Every flag, hidden ones too, with its current value as text, sorted by name (what
  // Prometheus shows at /api/v1/status/flags): strings as they are, booleans "true"/"false",
  // durations as Prometheus formats them ("1d12h"), repeated flags joined with ",", custom flags
  // the last value given (or their default text).
  std::vector<std::pair<std::string, std::string>> Values() const;

 private:
  struct Flag {
    std::string name;
    std::string help;
    std::string default_text;
    bool is_bool = false;
    bool hidden = false;
    bool set = false;
    Setter setter;
    std::function<std::string()> value;  // typed flags: the destination's value as text
    bool custom = false;                 // Values(): raw when set, else value() / default_text
    std::string raw;                     // the last value given on the command line
  };
  Flag* Find(std::string_view name);
  void Add(std::string name, std::string help, std::string default_text, bool is_bool,
           Setter setter, std::function<std::string()> value = nullptr);

  std::string program_;
  std::string description_;
  std::vector<Flag> flags_;
};

}  // namespace sundial::cli

#endif  // SUNDIAL_CLI_FLAG_SET_H_
