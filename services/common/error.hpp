#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lantian {

/// The small error vocabulary every layer speaks (after Abseil/gRPC status codes).
/// Mapped to HTTP in exactly one place: http/problem.cpp.
enum class ErrorCode {
    kInvalidArgument,       // 400: the request is malformed
    kValidation,            // 422: well-formed, but the values break a rule
    kNotFound,              // 404: missing, or outside the caller's scope
    kAlreadyExists,         // 409
    kFailedPrecondition,    // 409: e.g. an illegal state transition
    kPreconditionRequired,  // 428: If-Match missing
    kAborted,               // 412: the version the client holds is stale
    kUnauthenticated,       // 401
    kPermissionDenied,      // 403
    kResourceExhausted,     // 429
    kPayloadTooLarge,       // 413
    kUnsupportedMediaType,  // 415
    kUnavailable,           // 503: e.g. the database is unreachable
    kInternal,              // 500
};

/// One problem with one field of the input, named by its JSON path (`location.lat`).
struct FieldError {
    std::string field;
    std::string message;
};

/// The one typed error services throw. `slug` is the stable machine code clients branch on.
class Error : public std::runtime_error {
public:
    Error(ErrorCode code, std::string slug, std::string message,
          std::vector<FieldError> fields = {})
        : std::runtime_error(std::move(message)),
          code_(code),
          slug_(std::move(slug)),
          fields_(std::move(fields)) {}

    ErrorCode code() const { return code_; }
    const std::string& slug() const { return slug_; }
    const std::vector<FieldError>& fields() const { return fields_; }
    /// Seconds after which a retry may succeed (429, 503), sent as Retry-After.
    std::optional<int> retry_after() const { return retry_after_; }
    Error& WithRetryAfter(int seconds) {
        retry_after_ = seconds;
        return *this;
    }

    static Error NotFound(std::string_view what);
    static Error InvalidArgument(std::string slug, std::string message,
                                 std::vector<FieldError> fields = {});
    static Error Validation(std::vector<FieldError> fields);

private:
    ErrorCode code_;
    std::string slug_;
    std::vector<FieldError> fields_;
    std::optional<int> retry_after_;
};

/// Collects field errors while a body is checked, then throws them all at once,
/// so a client learns every field at fault from one round trip.
class FieldErrors {
public:
    /// Records a problem; a field already at fault keeps its first message (a missing
    /// field is not also reported as "unknown kind").
    void Add(std::string field, std::string message) {
        for (const auto& e : errors_) {
            if (e.field == field) return;
        }
        errors_.push_back({std::move(field), std::move(message)});
    }
    bool empty() const { return errors_.empty(); }
    const std::vector<FieldError>& fields() const { return errors_; }
    /// Throws Error(kValidation) when any field error was added.
    void ThrowIfAny() const;

private:
    std::vector<FieldError> errors_;
};

}  // namespace lantian
