// Shared helpers of the `ltl` tool: exit codes, files, key files, times, JSON.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "client/cli/cli.h"
#include "client/json_detail.h"

namespace ltl::cli {

using client::VerifyFailure;
using client::VerifyOutcome;
using client::VerifyResult;

ExitCode ExitCodeFor(const VerifyFailure& failure) {
  if (failure.status.code() == StatusCode::kInternal) return ExitCode::kInternal;
  switch (failure.outcome) {
    case VerifyOutcome::kOk:
      return ExitCode::kOk;
    case VerifyOutcome::kUsage:
      return ExitCode::kUsage;
    case VerifyOutcome::kNetwork:
      return ExitCode::kNetwork;
    case VerifyOutcome::kLogError:
      return ExitCode::kLogError;
    case VerifyOutcome::kInvalidEntry:
      return ExitCode::kInvalidEntry;
    case VerifyOutcome::kBadSignature:
      return ExitCode::kBadSignature;
    case VerifyOutcome::kPolicy:
      return ExitCode::kPolicy;
    case VerifyOutcome::kProofFailure:
      return ExitCode::kProofFailure;
    case VerifyOutcome::kInconsistent:
      return ExitCode::kInconsistent;
    case VerifyOutcome::kLocalState:
      return ExitCode::kLocalState;
  }
  return ExitCode::kInternal;
}

std::string_view ExitCodeHelp() {
  return "Exit codes:\n"
         "   0  ok\n"
         "   1  internal error (a bug; please report it)\n"
         "   2  usage error: bad flag, argument, key or input file\n"
         "   3  network error: the log could not be reached (retry later)\n"
         "   4  invalid entry: it does not parse, breaks its type's rules, lacks a\n"
         "      required or --key signature, or the log refused it\n"
         "   5  proof failure: a Merkle proof or tile does not match a signed root\n"
         "   6  log inconsistency: two signed checkpoints cannot both be true\n"
         "      (evidence is written to a file whose path is printed)\n"
         "   7  policy: fewer witness cosignatures than --quorum\n"
         "   8  bad signature: a checkpoint not signed by --log-key (another log?)\n"
         "   9  log error: the log answered something the protocol does not allow\n"
         "  10  local state: the state folder or an output file cannot be used\n";
}

VerifyFailure Failure(VerifyOutcome outcome, std::string_view message) {
  return client::Fail(outcome, Status::InvalidArgument(message));
}

VerifyFailure FailWith(VerifyOutcome outcome, const Status& status, std::string_view context) {
  return client::Fail(outcome, context.empty() ? status : status.WithContext(context));
}

std::optional<std::string> FirstPositional(const Invocation& inv) {
  if (inv.flags.positionals().empty()) return std::nullopt;
  return inv.flags.positionals()[0];
}

// ---- Files ----------------------------------------------------------------------

namespace {

std::string ErrnoText(int err) { return std::strerror(err); }

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error (write-back failures surface here).
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Reads the whole of `fd`, failing above `max_bytes`.
Result<std::string> ReadAll(int fd, size_t max_bytes) {
  std::string out;
  char buffer[16384];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(ErrnoText(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      return Status::ResourceExhausted("larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(ErrnoText(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

CommandResult WriteNewFileWithMode(const std::string& path, std::string_view contents,
                                   mode_t mode) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return UsageError(path + " already exists; refusing to overwrite it");
    }
    return Failure(VerifyOutcome::kLocalState, "cannot create " + path + ": " + ErrnoText(err));
  }
  // The umask may have removed bits but never adds any; fchmod makes the
  // mode exact whatever the umask.
  if (::fchmod(fd.get(), mode) != 0) {
    return Failure(VerifyOutcome::kLocalState,
                   "cannot set the mode of " + path + ": " + ErrnoText(errno));
  }
  Status written = WriteAll(fd.get(), contents);
  if (written.ok() && ::fsync(fd.get()) != 0) written = Status::Unavailable(ErrnoText(errno));
  if (written.ok() && fd.Close() != 0) written = Status::Unavailable(ErrnoText(errno));
  if (!written.ok()) {
    ::unlink(path.c_str());  // never leave a truncated key or entry behind
    return FailWith(VerifyOutcome::kLocalState, written, "writing " + path);
  }
  return Done{};
}

}  // namespace

VerifyResult<std::string> ReadInput(const std::optional<std::string>& path) {
  if (!path || *path == "-") {
    auto data = ReadAll(STDIN_FILENO, kMaxInputBytes);
    if (!data.has_value()) return FailWith(VerifyOutcome::kUsage, data.error(), "standard input");
    return std::move(data).value();
  }
  auto data = ReadFileIfPresent(*path);
  if (!data.has_value()) return std::move(data).error();
  if (!data->has_value()) return UsageError(*path + ": no such file");
  return std::move(**data);
}

VerifyResult<std::optional<std::string>> ReadFileIfPresent(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return UsageError(path.string() + ": " + ErrnoText(errno));
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return UsageError(path.string() + ": " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) return UsageError(path.string() + ": not a regular file");
  auto data = ReadAll(fd.get(), kMaxInputBytes);
  if (!data.has_value()) return FailWith(VerifyOutcome::kUsage, data.error(), path.string());
  return std::optional<std::string>(std::move(data).value());
}

VerifyResult<ledger::SigningKey> LoadSigningKey(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return UsageError("key file " + path + ": " + ErrnoText(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return UsageError("key file " + path + ": " + ErrnoText(errno));
  if (!S_ISREG(st.st_mode)) return UsageError("key file " + path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return UsageError("key file " + path + " has mode " + mode +
                      ": a private key must not be accessible to group or others; run: chmod 600 " +
                      path);
  }
  // A private key line is about 100 bytes; anything large is not a key file.
  auto text = ReadAll(fd.get(), 4096);
  if (!text.has_value()) {
    return UsageError("key file " + path + ": " + text.error().message());
  }
  std::string_view line = *text;
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  auto key = ledger::SigningKey::ParsePrivateKey(line);
  // The text is the private key: wipe it now that the key lives in guarded memory.
  sodium_memzero(text->data(), text->size());
  if (!key.has_value()) {
    // ParsePrivateKey's messages never contain the input: safe to show.
    return UsageError("key file " + path + " is not an LTL private key (" + key.error().message() +
                      ")");
  }
  if (key->verifier().type() != ledger::KeyType::kEd25519) {
    return UsageError("key file " + path +
                      " holds a witness cosignature key; entries and notes are signed with "
                      "Ed25519 note keys (ltl key generate)");
  }
  return std::move(key).value();
}

CommandResult WriteNewPrivateFile(const std::string& path, std::string_view contents) {
  return WriteNewFileWithMode(path, contents, 0600);
}

CommandResult WriteNewFile(const std::string& path, std::string_view contents) {
  return WriteNewFileWithMode(path, contents, 0644);
}

// ---- Values ------------------------------------------------------------------------

ledger::Timestamp Now() { return ledger::Timestamp{static_cast<int64_t>(std::time(nullptr))}; }

VerifyResult<ledger::Timestamp> ParseTimeFlag(std::string_view flag, std::string_view value) {
  auto t = ledger::ParseTimestamp(value);
  if (!t.has_value()) {
    return UsageError("--" + std::string(flag) + ": " + t.error().message() +
                      " (want YYYY-MM-DDTHH:MM:SSZ)");
  }
  return *t;
}

VerifyResult<ledger::Timestamp> TimeFlagOr(const Invocation& inv, std::string_view flag,
                                           ledger::Timestamp fallback) {
  const std::optional<std::string> value = inv.flags.Get(flag);
  if (!value) return fallback;
  return ParseTimeFlag(flag, *value);
}

VerifyResult<ledger::VerifierKey> ParseVerifierKeyFlag(std::string_view flag,
                                                       std::string_view value) {
  auto key = ledger::VerifierKey::Parse(value);
  if (!key.has_value()) {
    return UsageError("--" + std::string(flag) + ": not a verifier key (" + key.error().message() +
                      ")");
  }
  return std::move(key).value();
}

// ---- Output -------------------------------------------------------------------------

void PrintOut(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

void PrintNote(std::string_view text) {
  std::fprintf(stderr, "ltl: %.*s\n", static_cast<int>(text.size()), text.data());
}

struct JsonOut::Impl {
  rapidjson::StringBuffer buffer;
  client::detail::JsonWriter writer{buffer};
};

JsonOut::JsonOut() : impl_(std::make_unique<Impl>()) {
  impl_->writer.SetIndent(' ', 2);
  impl_->writer.StartObject();
}
JsonOut::~JsonOut() = default;

JsonOut& JsonOut::String(std::string_view key, std::string_view value) {
  client::detail::WriteKey(impl_->writer, key);
  client::detail::WriteString(impl_->writer, value);
  return *this;
}
JsonOut& JsonOut::Uint(std::string_view key, uint64_t value) {
  client::detail::WriteKey(impl_->writer, key);
  impl_->writer.Uint64(value);
  return *this;
}
JsonOut& JsonOut::Bool(std::string_view key, bool value) {
  client::detail::WriteKey(impl_->writer, key);
  impl_->writer.Bool(value);
  return *this;
}
JsonOut& JsonOut::Strings(std::string_view key, std::span<const std::string> values) {
  client::detail::WriteKey(impl_->writer, key);
  impl_->writer.StartArray();
  for (const std::string& v : values) client::detail::WriteString(impl_->writer, v);
  impl_->writer.EndArray();
  return *this;
}
JsonOut& JsonOut::BeginArray(std::string_view key) {
  client::detail::WriteKey(impl_->writer, key);
  impl_->writer.StartArray();
  return *this;
}
JsonOut& JsonOut::EndArray() {
  impl_->writer.EndArray();
  return *this;
}
JsonOut& JsonOut::BeginObject() {
  impl_->writer.StartObject();
  return *this;
}
JsonOut& JsonOut::EndObject() {
  impl_->writer.EndObject();
  return *this;
}
std::string JsonOut::Text() {
  impl_->writer.EndObject();
  return std::string(impl_->buffer.GetString(), impl_->buffer.GetSize()) + "\n";
}

}  // namespace ltl::cli
