#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace lantian::http {

namespace {

std::vector<std::string> Split(const std::string& path) {
    std::vector<std::string> out;
    size_t start = 1;  // paths begin with '/'
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool IsParam(const std::string& seg) {
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

/// Matches and scores: higher is more specific (literal segments count more).
std::optional<int> MatchSegments(const Route& route, const std::vector<std::string>& segs,
                                 std::map<std::string, std::string>& params) {
    int score = 0;
    for (size_t i = 0; i < route.segments.size(); ++i) {
        const std::string& pat = route.segments[i];
        if (IsParam(pat) && pat[1] == '*') {
            std::string rest;
            for (size_t j = i; j < segs.size(); ++j) {
                if (j > i) rest += '/';
                rest += segs[j];
            }
            params[pat.substr(2, pat.size() - 3)] = rest;
            return score;
        }
        if (i >= segs.size()) return std::nullopt;
        if (IsParam(pat)) {
            if (segs[i].empty()) return std::nullopt;
            params[pat.substr(1, pat.size() - 2)] = segs[i];
        } else if (pat == segs[i]) {
            score += 2;
        } else {
            return std::nullopt;
        }
    }
    if (segs.size() != route.segments.size()) return std::nullopt;
    return score + 1;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, RouteOptions options, Handler handler) {
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + pattern);
    }
    Route route{std::move(method), pattern, std::move(options), std::move(handler), Split(pattern)};
    routes_.push_back(std::move(route));
}

Match Router::Find(const std::string& method, const std::string& path) const {
    Match best;
    int best_score = -1;
    const auto segs = Split(path);
    for (const Route& route : routes_) {
        std::map<std::string, std::string> params;
        auto score = MatchSegments(route, segs, params);
        if (!score) continue;
        if (route.method != method && !(method == "HEAD" && route.method == "GET")) {
            best.allowed_methods.push_back(route.method);
            continue;
        }
        if (*score > best_score) {
            best_score = *score;
            best.route = &route;
            best.params = std::move(params);
        }
    }
    std::sort(best.allowed_methods.begin(), best.allowed_methods.end());
    best.allowed_methods.erase(
        std::unique(best.allowed_methods.begin(), best.allowed_methods.end()),
        best.allowed_methods.end());
    return best;
}

}  // namespace lantian::http
