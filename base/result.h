// Result<T>: a T or a non-OK Status.
//
// Member names follow C++23 std::expected<T, Status> (has_value, value, error,
// operator*, operator->, value_or) so that moving to std::expected later is one
// alias. Unlike std::expected, a Status converts implicitly, so functions can
// `return Status::NotFound("...")`.
//
// REQUIRES: a Status used to construct a Result is not OK. (An OK Status is
// turned into Internal so the bug surfaces as an error rather than UB.)
// value() on an error aborts with the status message: callers check first.
#ifndef LTL_BASE_RESULT_H_
#define LTL_BASE_RESULT_H_

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/status.h"

namespace ltl {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Status>, "use Status directly");

 public:
  using value_type = T;

  Result(const T& value) : v_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::remove_cvref_t<U>, Status> &&
                                        !std::is_same_v<std::remove_cvref_t<U>, Result<T>>>>
  Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  Result(Status status)  // NOLINT(google-explicit-constructor)
      : v_(std::in_place_index<1>, status.ok()
                                       ? Status::Internal("Result constructed from OK status")
                                       : std::move(status)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    Check();
    return std::get<0>(v_);
  }
  const T& value() const& {
    Check();
    return std::get<0>(v_);
  }
  T&& value() && {
    Check();
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  // The error; OK when has_value() (a small extension over std::expected).
  Status error() const { return has_value() ? Status::Ok() : std::get<1>(v_); }

 private:
  void Check() const {
    if (!has_value()) {
      std::fprintf(stderr, "Result::value() on error: %s\n", std::get<1>(v_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<T, Status> v_;
};

}  // namespace ltl

#define LTL_CONCAT_INNER_(a, b) a##b
#define LTL_CONCAT_(a, b) LTL_CONCAT_INNER_(a, b)

// LTL_ASSIGN_OR_RETURN(auto x, Expr()); declares/assigns x from a Result or
// returns its error.
#define LTL_ASSIGN_OR_RETURN(lhs, expr) \
  LTL_ASSIGN_OR_RETURN_IMPL_(LTL_CONCAT_(ltl_result_, __LINE__), lhs, expr)
#define LTL_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.has_value()) return tmp.error();        \
  lhs = std::move(tmp).value()

#endif  // LTL_BASE_RESULT_H_
