// A small, strict command-line flag parser for the `ltl` tool (no external
// dependency). Internal to client/cli/.
//
// Grammar, after the subcommand name:
//   --name value     a flag with a value
//   --name=value     the same; the only way to pass a value that starts with "--"
//   --name           a switch (declared without a value name)
//   --               everything after is a positional argument
//   -                a positional argument (by convention: standard input)
//   anything else    a positional argument
//
// Strictness (every violation is an InvalidArgument naming the flag, which
// the CLI reports as a usage error, exit code 2):
//   - an undeclared flag ("unknown flag --lisensor"), and any "-x" short flag;
//   - a value flag at the end of the arguments, or whose next argument starts
//     with "--" (a forgotten value must not swallow the next flag);
//   - "--switch=value";
//   - a non-repeatable flag given twice;
//   - a required flag missing;
//   - fewer or more positional arguments than the command takes.
// `--help` is always accepted and short-circuits the checks (help_requested()).
//
// Thread-safety: values and pure functions.
#ifndef LTL_CLIENT_CLI_FLAGS_H_
#define LTL_CLIENT_CLI_FLAGS_H_

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ltl::cli {

struct FlagSpec {
  std::string_view name;        // without the leading "--"
  std::string_view value_name;  // e.g. "FILE"; empty for a switch
  std::string_view help;        // one line
  bool required = false;
  bool repeatable = false;
};

// What a command accepts besides flags.
struct PositionalSpec {
  std::string_view usage;  // e.g. "[FILE]", "INDEX"
  size_t min = 0;
  size_t max = 0;
};

class ParsedFlags {
 public:
  bool help_requested() const { return help_; }

  // Whether the command declares the flag.
  bool Declares(std::string_view name) const;
  // Whether the flag (value or switch) was given.
  bool Has(std::string_view name) const;
  // The value of a non-repeatable value flag, nullopt when absent.
  // REQUIRES: `name` was declared (an undeclared name aborts: a CLI bug).
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of a flag, in command-line order (empty when absent).
  const std::vector<std::string>& GetAll(std::string_view name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  friend Result<ParsedFlags> ParseFlags(std::span<const std::string_view> args,
                                        std::span<const FlagSpec> specs,
                                        const PositionalSpec& positional);
  void CheckDeclared(std::string_view name) const;

  bool help_ = false;
  std::vector<std::string_view> declared_;
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::vector<std::string> positionals_;
};

// Parses `args` (the arguments after the subcommand). Errors: InvalidArgument
// as listed in the file comment; the message names the offending flag or
// argument and never repeats a flag's value (it may be a secret typed in the
// wrong place).
Result<ParsedFlags> ParseFlags(std::span<const std::string_view> args,
                               std::span<const FlagSpec> specs, const PositionalSpec& positional);

// Help lines for the flags, one per flag, aligned:
//   "  --name VALUE     help (required, repeatable)".
std::string FormatFlagHelp(std::span<const FlagSpec> specs);

}  // namespace ltl::cli

#endif  // LTL_CLIENT_CLI_FLAGS_H_
