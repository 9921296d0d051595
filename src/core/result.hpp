#pragma once
// Result<T>: a value or a typed Error. Domain functions return it instead of throwing; exceptions are
// reserved for programming errors and the process edge (DESIGN.md, "Errors").
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sp {

// A failure the user or the calling program can act on. `code` is stable (API clients match on it),
// `message_key` looks up the localised text in web/locales/*.json, `detail` is free text for logs and
// for placeholders in the message ("{detail}"), `field` names the form field at fault when there is one.
struct Error {
  std::string code;         // e.g. "cf.bad_check_char"
  std::string message_key;  // e.g. "error.cf.bad_check_char"
  std::string detail;
  int http_status = 400;
  std::string field;

  static Error make(std::string code, int status = 400, std::string detail = {}) {
    Error e;
    e.message_key = "error." + code;
    e.code = std::move(code);
    e.http_status = status;
    e.detail = std::move(detail);
    return e;
  }
  // An error about one input field of a form or request (pages mark that field).
  static Error for_field(std::string code, std::string field, int status = 400, std::string detail = {}) {
    Error e = make(std::move(code), status, std::move(detail));
    e.field = std::move(field);
    return e;
  }
  static Error not_found(std::string what) { return make("not_found", 404, std::move(what)); }
  static Error forbidden(std::string what) { return make("forbidden", 403, std::move(what)); }
  static Error internal(std::string what) { return make("internal", 500, std::move(what)); }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;

}  // namespace sp
