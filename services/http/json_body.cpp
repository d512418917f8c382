#include "http/json_body.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "common/error.hpp"
#include "http/url.hpp"

namespace lantian::http {

using nlohmann::json;

namespace {

Error Malformed(std::string message) {
    return Error::InvalidArgument("malformed_json", std::move(message));
}

}  // namespace

json ParseStrictJson(std::string_view body) {
    if (!IsValidUtf8(body)) {
        throw Error::InvalidArgument("invalid_utf8", "request body is not valid UTF-8");
    }
    // One set of seen keys per open object; depth counts objects and arrays alike.
    std::vector<std::set<std::string>> keys;
    int depth = 0;
    auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) -> bool {
        switch (event) {
            case json::parse_event_t::object_start:
                keys.emplace_back();
                [[fallthrough]];
            case json::parse_event_t::array_start:
                if (++depth > kMaxJsonDepth) {
                    throw Error::InvalidArgument(
                        "json_too_deep",
                        "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
                }
                break;
            case json::parse_event_t::object_end:
                keys.pop_back();
                --depth;
                break;
            case json::parse_event_t::array_end:
                --depth;
                break;
            case json::parse_event_t::key: {
                const auto& key = parsed.get_ref<const std::string&>();
                if (key.find('\0') != std::string::npos) {
                    throw Error::InvalidArgument("nul_character",
                                                 "JSON strings must not contain \\u0000");
                }
                if (!keys.back().insert(key).second) {
                    throw Error::InvalidArgument("duplicate_key",
                                                 "duplicate key \"" + key + "\" in JSON object",
                                                 {{key, "appears more than once"}});
                }
                break;
            }
            case json::parse_event_t::value:
                if (parsed.is_string() &&
                    parsed.get_ref<const std::string&>().find('\0') != std::string::npos) {
                    throw Error::InvalidArgument("nul_character",
                                                 "JSON strings must not contain \\u0000");
                }
                break;
        }
        return true;
    };
    try {
        return json::parse(body.begin(), body.end(), callback, /*allow_exceptions=*/true,
                           /*ignore_comments=*/false);
    } catch (const json::parse_error& e) {
        const std::string what = e.what();
        throw Malformed("request body is not valid JSON: " +
                        what.substr(what.find(']') == std::string::npos ? 0 : what.find(']') + 2));
    } catch (const json::out_of_range&) {
        // A number beyond a double's range (1e400, -1e400, 1e999999999): not a value any field
        // could take, and never a 500.
        throw Malformed("request body holds a number out of range");
    }
}

json JsonObjectBody(const Request& request) {
    const auto type = request.Header("content-type");
    const auto semicolon = type.find(';');
    std::string media(type.substr(0, semicolon));
    std::transform(media.begin(), media.end(), media.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!media.empty() && media.back() == ' ') media.pop_back();
    if (media != "application/json" && media != "application/merge-patch+json") {
        throw Error(ErrorCode::kUnsupportedMediaType, "unsupported_media_type",
                    "request body must be application/json");
    }
    json body = ParseStrictJson(request.body);
    if (!body.is_object()) throw Malformed("request body must be a JSON object");
    return body;
}

void RejectUnknownFields(const json& object, std::initializer_list<std::string_view> allowed,
                         const std::string& prefix) {
    std::vector<FieldError> unknown;
    for (const auto& [key, value] : object.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            unknown.push_back({prefix + key, "is not a field that can be set here"});
        }
    }
    if (unknown.empty()) return;
    std::string message = "unknown or read-only field";
    message += unknown.size() > 1 ? "s " : " ";
    for (size_t i = 0; i < unknown.size(); ++i) {
        message += (i ? ", \"" : "\"") + unknown[i].field + '"';
    }
    throw Error::InvalidArgument("unknown_field", std::move(message), std::move(unknown));
}

Response JsonResponse(int status, const json& body) {
    Response response;
    response.status = status;
    response.body = body.dump(-1, ' ', false, json::error_handler_t::strict);
    return response;
}

}  // namespace lantian::http
