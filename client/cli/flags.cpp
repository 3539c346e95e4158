#include "client/cli/flags.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace ltl::cli {
namespace {

const FlagSpec* FindSpec(std::span<const FlagSpec> specs, std::string_view name) {
  for (const FlagSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::string Dashed(std::string_view name) { return "--" + std::string(name); }

}  // namespace

void ParsedFlags::CheckDeclared(std::string_view name) const {
  if (!Declares(name)) {
    std::fprintf(stderr, "ltl: internal error: flag --%.*s read but not declared\n",
                 static_cast<int>(name.size()), name.data());
    std::abort();
  }
}

bool ParsedFlags::Declares(std::string_view name) const {
  return std::find(declared_.begin(), declared_.end(), name) != declared_.end();
}

bool ParsedFlags::Has(std::string_view name) const {
  CheckDeclared(name);
  return values_.find(name) != values_.end();
}

std::optional<std::string> ParsedFlags::Get(std::string_view name) const {
  CheckDeclared(name);
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

const std::vector<std::string>& ParsedFlags::GetAll(std::string_view name) const {
  static const std::vector<std::string> kNone;
  CheckDeclared(name);
  auto it = values_.find(name);
  return it == values_.end() ? kNone : it->second;
}

Result<ParsedFlags> ParseFlags(std::span<const std::string_view> args,
                               std::span<const FlagSpec> specs, const PositionalSpec& positional) {
  ParsedFlags out;
  for (const FlagSpec& spec : specs) out.declared_.push_back(spec.name);

  bool only_positionals = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (only_positionals || arg == "-" || arg.empty() || arg[0] != '-') {
      out.positionals_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positionals = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.help_ = true;
      return out;
    }
    if (arg.substr(0, 2) != "--") {
      return Status::InvalidArgument("unknown flag " + std::string(arg) +
                                     " (flags are spelled --name)");
    }
    const std::string_view body = arg.substr(2);
    const size_t eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const FlagSpec* spec = FindSpec(specs, name);
    if (spec == nullptr) return Status::InvalidArgument("unknown flag " + Dashed(name));

    std::string value;
    if (spec->value_name.empty()) {
      if (eq != std::string_view::npos) {
        return Status::InvalidArgument(Dashed(name) + " is a switch and takes no value");
      }
    } else if (eq != std::string_view::npos) {
      value = std::string(body.substr(eq + 1));
    } else {
      if (i + 1 >= args.size()) {
        return Status::InvalidArgument("missing value for " + Dashed(name) + " " +
                                       std::string(spec->value_name));
      }
      const std::string_view next = args[i + 1];
      if (next.substr(0, 2) == "--") {
        return Status::InvalidArgument("missing value for " + Dashed(name) + " " +
                                       std::string(spec->value_name) + " (the next argument is " +
                                       "a flag; write " + Dashed(name) + "=VALUE for a value " +
                                       "that starts with --)");
      }
      value = std::string(next);
      ++i;
    }
    std::vector<std::string>& slot = out.values_[std::string(name)];
    if (!slot.empty() && !spec->repeatable) {
      return Status::InvalidArgument(Dashed(name) + " given more than once");
    }
    if (spec->value_name.empty() && !slot.empty()) {
      return Status::InvalidArgument(Dashed(name) + " given more than once");
    }
    slot.push_back(std::move(value));
  }

  for (const FlagSpec& spec : specs) {
    if (spec.required && out.values_.find(spec.name) == out.values_.end()) {
      return Status::InvalidArgument("missing required flag " + Dashed(spec.name) + " " +
                                     std::string(spec.value_name));
    }
  }
  const size_t n = out.positionals_.size();
  if (n > positional.max) {
    const std::string& extra = out.positionals_[positional.max];
    return Status::InvalidArgument(
        positional.max == 0 ? "unexpected argument '" + extra + "' (this command takes only flags)"
                            : "unexpected argument '" + extra + "' (expected " +
                                  std::string(positional.usage) + ")");
  }
  if (n < positional.min) {
    return Status::InvalidArgument("missing argument " + std::string(positional.usage));
  }
  return out;
}

std::string FormatFlagHelp(std::span<const FlagSpec> specs) {
  std::vector<std::string> heads;
  size_t width = 0;
  for (const FlagSpec& spec : specs) {
    std::string head = "  " + Dashed(spec.name);
    if (!spec.value_name.empty()) head += " " + std::string(spec.value_name);
    width = std::max(width, head.size());
    heads.push_back(std::move(head));
  }
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string line = heads[i];
    line.append(width + 2 - line.size(), ' ');
    line += specs[i].help;
    if (specs[i].required && specs[i].repeatable) {
      line += " (required, repeatable)";
    } else if (specs[i].required) {
      line += " (required)";
    } else if (specs[i].repeatable) {
      line += " (repeatable)";
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace ltl::cli
