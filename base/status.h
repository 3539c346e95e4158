// Status: the error value every LTL module returns across its boundary.
//
// Modelled on leveldb::Status and absl::Status: a code plus a human-readable
// message. A default-constructed Status is OK. Statuses are cheap to copy when
// OK (no allocation) and are [[nodiscard]] so an ignored error is a compile
// error under -Werror.
//
// Codes follow absl's meanings; return the most specific one:
//   InvalidArgument    the caller's input is malformed (bad base64, bad field).
//   NotFound           a well-formed request names something that does not exist.
//   AlreadyExists      a create would overwrite.
//   FailedPrecondition the system is not in a state to do this (e.g. read-only).
//   OutOfRange         a well-formed index/size beyond what exists *now*.
//   PermissionDenied   a signature or key does not authorise this.
//   ResourceExhausted  a limit was hit (queue full, entry too large).
//   Unavailable        transient; retrying may succeed (network, overload).
//   DataLoss           stored data is corrupt.
//   Internal           a bug or an unexpected library failure.
// Thread-safety: a Status is a value; distinct objects may be used concurrently.
#ifndef LTL_BASE_STATUS_H_
#define LTL_BASE_STATUS_H_

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace ltl {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kOutOfRange,
  kPermissionDenied,
  kResourceExhausted,
  kUnavailable,
  kDataLoss,
  kInternal,
};

// Stable lower-case name of a code ("invalid_argument"), used in JSON errors.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(StatusCode::kInvalidArgument, msg);
  }
  static Status NotFound(std::string_view msg) { return Status(StatusCode::kNotFound, msg); }
  static Status AlreadyExists(std::string_view msg) {
    return Status(StatusCode::kAlreadyExists, msg);
  }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(StatusCode::kFailedPrecondition, msg);
  }
  static Status OutOfRange(std::string_view msg) { return Status(StatusCode::kOutOfRange, msg); }
  static Status PermissionDenied(std::string_view msg) {
    return Status(StatusCode::kPermissionDenied, msg);
  }
  static Status ResourceExhausted(std::string_view msg) {
    return Status(StatusCode::kResourceExhausted, msg);
  }
  static Status Unavailable(std::string_view msg) { return Status(StatusCode::kUnavailable, msg); }
  static Status DataLoss(std::string_view msg) { return Status(StatusCode::kDataLoss, msg); }
  static Status Internal(std::string_view msg) { return Status(StatusCode::kInternal, msg); }

  Status(StatusCode code, std::string_view msg);

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // Empty for OK.
  const std::string& message() const;
  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code() == b.code() && a.message() == b.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;  // null means OK
};

std::ostream& operator<<(std::ostream& os, const Status& s);

}  // namespace ltl

// Propagates a non-OK Status from an expression returning Status.
#define LTL_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::ltl::Status ltl_status_ = (expr);        \
    if (!ltl_status_.ok()) return ltl_status_; \
  } while (0)

#endif  // LTL_BASE_STATUS_H_
