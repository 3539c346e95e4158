// ltl: the Licence Transparency Ledger's command-line tool.
//
// main() finds the subcommand in the table (one or two words: "sign",
// "key generate"), parses its flags strictly (client/cli/flags.h), runs it and
// turns its CommandResult into an exit code (client/cli/cli.h). Every command
// accepts --help and --json. The reference is docs/cli.md.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "client/cli/cli.h"
#include "ledger/keys.h"

namespace ltl::cli {

// client/cli/monitor.cpp: runs ltl-monitor (which links LMDB; ltl must not).
int RunMonitorTool(int argc, char** argv);

namespace {

constexpr std::string_view kVersion = "ltl 0.1.0";

const std::vector<Command>& AllCommands() {
  static const std::vector<Command> commands = [] {
    std::vector<Command> all;
    for (auto family : {KeyCommands, EntryCommands, ComposeCommands, LogCommands}) {
      for (Command& c : family()) {
        c.flags.push_back(kJsonFlag);
        all.push_back(std::move(c));
      }
    }
    return all;
  }();
  return commands;
}

const Command* FindCommand(std::string_view name) {
  for (const Command& c : AllCommands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// The second words of the commands whose first word is `family`.
std::vector<std::string_view> Subcommands(std::string_view family) {
  std::vector<std::string_view> out;
  for (const Command& c : AllCommands()) {
    const size_t space = c.name.find(' ');
    if (space != std::string_view::npos && c.name.substr(0, space) == family) {
      out.push_back(c.name.substr(space + 1));
    }
  }
  return out;
}

std::string GeneralHelp() {
  std::string out =
      "ltl: sign, submit and verify entries of a Licence Transparency Ledger log.\n\n"
      "Usage: ltl COMMAND [FLAGS] [ARGS]     (ltl COMMAND --help for its flags)\n\n"
      "Commands:\n";
  size_t width = 0;
  for (const Command& c : AllCommands()) width = std::max(width, c.name.size());
  for (const Command& c : AllCommands()) {
    std::string line = "  " + std::string(c.name);
    line.append(width + 4 - c.name.size(), ' ');
    out += line + std::string(c.summary) + "\n";
  }
  out += "  monitor" + std::string(width + 4 - 7, ' ') +
         "audit a whole log (runs ltl-monitor; see ltl monitor --help)\n";
  out +=
      "\nFlags take a value as '--flag VALUE' or '--flag=VALUE'; repeatable flags may be\n"
      "given several times. Every command accepts --json (machine-readable output on\n"
      "stdout) and --help. Errors are one line on stderr.\n\n";
  out += ExitCodeHelp();
  out += "\nReference and walk-throughs: docs/cli.md\n";
  return out;
}

std::string CommandHelp(const Command& c) {
  std::string out = "Usage: ltl " + std::string(c.name) + " [FLAGS]";
  if (!c.positional.usage.empty()) out += " " + std::string(c.positional.usage);
  std::vector<FlagSpec> flags = c.flags;
  flags.push_back(FlagSpec{"help", "", "print this help"});
  out += "\n\n" + std::string(c.summary) + "\n\nFlags:\n" + FormatFlagHelp(flags);
  if (!c.details.empty()) out += "\n" + std::string(c.details);
  if (!out.empty() && out.back() != '\n') out += "\n";
  out += "\nExit codes: see ltl --help.\n";
  return out;
}

// One line, without control characters: messages may carry text from a log
// or a file, which must not move the cursor or forge extra lines.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  return out;
}

int Report(std::string_view command, bool json, const client::VerifyFailure& failure) {
  const ExitCode code = ExitCodeFor(failure);
  std::string message = OneLine(failure.status.message());
  std::string line = "ltl" + std::string(command.empty() ? "" : " ") + std::string(command) + ": " +
                     std::string(client::VerifyOutcomeName(failure.outcome)) + ": " + message;
  if (code == ExitCode::kUsage && !command.empty() && FindCommand(command) != nullptr) {
    line += " (see: ltl " + std::string(command) + " --help)";
  }
  std::fprintf(stderr, "%s\n", line.c_str());
  if (json) {
    JsonOut out;
    out.Bool("ok", false)
        .String("outcome", client::VerifyOutcomeName(failure.outcome))
        .Uint("exit_code", static_cast<uint64_t>(code))
        .String("error", message);
    out.Finish();
  }
  return static_cast<int>(code);
}

int UsageFailure(std::string_view command, std::string_view message) {
  return Report(command, false, UsageError(message));
}

int Main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::fputs("Usage: ltl COMMAND [FLAGS] [ARGS]; ltl --help lists the commands\n", stderr);
    return static_cast<int>(ExitCode::kUsage);
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    if (args.size() == 1) {
      PrintOut(GeneralHelp());
      return 0;
    }
    std::string name(args[1]);
    if (args.size() > 2) name += " " + std::string(args[2]);
    const Command* c = FindCommand(name);
    if (c == nullptr) c = FindCommand(args[1]);
    if (c == nullptr) return UsageFailure("help", "no command '" + name + "'");
    PrintOut(CommandHelp(*c));
    return 0;
  }
  if (args[0] == "monitor") return RunMonitorTool(argc, argv);
  if (args[0] == "--version") {
    PrintOut(std::string(kVersion) + "\n");
    return 0;
  }

  const Command* command = nullptr;
  size_t consumed = 1;
  if (args.size() >= 2) {
    command = FindCommand(std::string(args[0]) + " " + std::string(args[1]));
    if (command != nullptr) consumed = 2;
  }
  if (command == nullptr) command = FindCommand(args[0]);
  if (command == nullptr) {
    const std::vector<std::string_view> subs = Subcommands(args[0]);
    if (!subs.empty() && args.size() >= 2 && (args[1] == "--help" || args[1] == "-h")) {
      PrintOut(GeneralHelp());
      return 0;
    }
    if (!subs.empty()) {
      std::string list;
      for (std::string_view s : subs) list += (list.empty() ? "" : ", ") + std::string(s);
      const std::string got = args.size() >= 2 ? "unknown subcommand '" + std::string(args[1]) + "'"
                                               : "missing subcommand";
      return UsageFailure(args[0], got + " (one of: " + list + "; see: ltl --help)");
    }
    return UsageFailure("", "unknown command '" + std::string(args[0]) + "' (see: ltl --help)");
  }

  auto flags = ParseFlags(std::span(args).subspan(consumed), command->flags, command->positional);
  if (!flags.has_value()) return UsageFailure(command->name, flags.error().message());
  if (flags->help_requested()) {
    PrintOut(CommandHelp(*command));
    return 0;
  }
  if (Status crypto = ledger::InitCrypto(); !crypto.ok()) {
    return Report(command->name, false, FailWith(client::VerifyOutcome::kUsage, crypto));
  }
  Invocation inv{std::string(command->name), std::move(flags).value(), false};
  inv.json = inv.flags.Has("json");
  CommandResult result = command->run(inv);
  if (!result.has_value()) return Report(command->name, inv.json, result.error());
  return 0;
}

}  // namespace
}  // namespace ltl::cli

int main(int argc, char** argv) { return ltl::cli::Main(argc, argv); }
