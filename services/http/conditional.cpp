#include "http/conditional.hpp"

#include <charconv>

#include "common/error.hpp"
#include "http/json_body.hpp"

namespace lantian::http {

std::string ETagFor(int version) {
    return "\"v" + std::to_string(version) + '"';
}

int RequireIfMatch(const Request& request) {
    std::string_view value = request.Header("if-match");
    if (value.empty()) {
        throw Error(ErrorCode::kPreconditionRequired, "precondition_required",
                    "this change requires an If-Match header with the resource's ETag");
    }
    int version = 0;
    if (value.size() > 3 && value.front() == '"' && value.back() == '"' && value[1] == 'v') {
        const std::string_view digits = value.substr(2, value.size() - 3);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
        // Strong comparison: "v03" is not the ETag we issued for version 3.
        if (ec == std::errc() && ptr == digits.data() + digits.size() && version > 0 &&
            digits.front() != '0') {
            return version;
        }
    }
    throw Error(ErrorCode::kAborted, "precondition_failed",
                "If-Match does not name the current version of the resource");
}

Response VersionedResponse(int status, const nlohmann::json& body, int version,
                           const std::string& collection, long long id) {
    Response r = JsonResponse(status, body);
    r.Header("ETag", ETagFor(version));
    if (status == 201) r.Header("Location", collection + "/" + std::to_string(id));
    return r;
}

}  // namespace lantian::http
