#include "http/message.hpp"

#include <charconv>

#include "common/error.hpp"

namespace lantian::http {

std::string_view Request::Header(std::string_view name) const {
    auto it = headers.find(std::string(name));
    return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::QueryParam(const std::string& name) const {
    auto [first, last] = query.equal_range(name);
    if (first == last) return std::nullopt;
    if (std::next(first) != last) {
        throw Error::InvalidArgument("invalid_parameter",
                                     "query parameter \"" + name + "\" is repeated",
                                     {{name, "must appear at most once"}});
    }
    return first->second;
}

const Actor& Request::RequireActor() const {
    if (!actor) {
        throw Error(ErrorCode::kUnauthenticated, "unauthenticated", "sign in first");
    }
    return *actor;
}

long long Request::PathId(const std::string& name) const {
    auto it = path_params.find(name);
    long long id = 0;
    if (it != path_params.end()) {
        const std::string& s = it->second;
        auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
        if (ec == std::errc() && ptr == s.data() + s.size() && id > 0) return id;
    }
    throw Error::NotFound("resource");
}

}  // namespace lantian::http
