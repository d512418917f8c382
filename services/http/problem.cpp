#include "http/problem.hpp"

#include <nlohmann/json.hpp>

namespace lantian::http {

int StatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return 400;
        case ErrorCode::kValidation:
            return 422;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kAlreadyExists:
            return 409;
        case ErrorCode::kFailedPrecondition:
            return 409;
        case ErrorCode::kPreconditionRequired:
            return 428;
        case ErrorCode::kAborted:
            return 412;
        case ErrorCode::kUnauthenticated:
            return 401;
        case ErrorCode::kPermissionDenied:
            return 403;
        case ErrorCode::kResourceExhausted:
            return 429;
        case ErrorCode::kPayloadTooLarge:
            return 413;
        case ErrorCode::kUnsupportedMediaType:
            return 415;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

namespace {

std::string_view TitleFor(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 412:
            return "Precondition Failed";
        case 413:
            return "Content Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 422:
            return "Unprocessable Content";
        case 428:
            return "Precondition Required";
        case 429:
            return "Too Many Requests";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        default:
            return status >= 500 ? "Internal Server Error" : "Error";
    }
}

}  // namespace

Response ProblemResponse(int status, std::string_view slug, std::string_view detail,
                         std::string_view request_id, const std::vector<FieldError>& fields) {
    nlohmann::json body = {
        {"type", "urn:lantian:problem:" + std::string(slug)},
        {"title", TitleFor(status)},
        {"status", status},
        {"detail", detail},
        {"code", slug},
    };
    if (!request_id.empty()) body["request_id"] = request_id;
    if (!fields.empty()) {
        auto& errors = body["errors"] = nlohmann::json::array();
        for (const auto& f : fields) errors.push_back({{"field", f.field}, {"message", f.message}});
    }
    Response response;
    response.status = status;
    response.content_type = "application/problem+json";
    // `replace`: a detail may quote client input that is not valid UTF-8.
    response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return response;
}

Response ProblemResponse(const Error& error, std::string_view request_id) {
    const int status = StatusFor(error.code());
    Response r = ProblemResponse(status, error.slug(), error.what(), request_id, error.fields());
    if (error.retry_after()) {
        r.Header("Retry-After", std::to_string(*error.retry_after()));
    } else if (status == 503) {
        r.Header("Retry-After", "1");
    }
    if (status == 401) r.Header("WWW-Authenticate", "Bearer");
    return r;
}

}  // namespace lantian::http
