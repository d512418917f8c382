#include "common/error.hpp"

namespace lantian {

Error Error::NotFound(std::string_view what) {
    return Error(ErrorCode::kNotFound, "not_found", std::string(what) + " not found");
}

Error Error::InvalidArgument(std::string slug, std::string message,
                             std::vector<FieldError> fields) {
    return Error(ErrorCode::kInvalidArgument, std::move(slug), std::move(message),
                 std::move(fields));
}

Error Error::Validation(std::vector<FieldError> fields) {
    std::string message = "invalid value";
    if (fields.size() > 1) message += "s";
    message += " for ";
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) message += ", ";
        message += '"' + fields[i].field + '"';
    }
    return Error(ErrorCode::kValidation, "validation_failed", std::move(message),
                 std::move(fields));
}

void FieldErrors::ThrowIfAny() const {
    if (!errors_.empty()) throw Error::Validation(errors_);
}

}  // namespace lantian
