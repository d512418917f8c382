#include "reports/http/dashboard_routes.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "common/error.hpp"
#include "common/log.hpp"

namespace lantian::reports {

namespace {

struct StaticFile {
    std::string content_type;
    std::optional<std::string> body;  // nullopt: missing at start
};

std::optional<std::string> ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
}

}  // namespace

void RegisterDashboardRoutes(http::Router& router, const std::string& dir) {
    const std::filesystem::path base(dir);
    struct Source {
        const char* name;
        std::filesystem::path path;
        const char* content_type;
    };
    const Source sources[] = {
        {"", base / "index.html", "text/html; charset=utf-8"},
        {"index.html", base / "index.html", "text/html; charset=utf-8"},
        {"app.js", base / "app.js", "text/javascript; charset=utf-8"},
        {"app.css", base / "app.css", "text/css; charset=utf-8"},
        {"echarts.min.js", base / "node_modules/echarts/dist/echarts.min.js",
         "text/javascript; charset=utf-8"},
    };
    auto files = std::make_shared<std::map<std::string, StaticFile>>();
    auto log = log::Get("http");
    for (const auto& s : sources) {
        auto body = ReadFile(s.path);
        if (!body) {
            log::Warn(*log, log::Line("dashboard file missing (run npm ci in services/dashboard)")
                                .Str("path", s.path.string()));
        }
        (*files)[s.name] = {s.content_type, std::move(body)};
    }
    const http::RouteOptions open{.public_route = true};
    router.Add("GET", "/dashboard", open, [](http::Request&) {
        http::Response r;
        r.status = 301;
        r.content_type = "text/plain; charset=utf-8";
        r.Header("Location", "/dashboard/");
        return r;
    });
    router.Add("GET", "/dashboard/{*file}", open, [files](http::Request& req) {
        const auto it = files->find(req.path_params.at("file"));
        if (it == files->end()) throw Error::NotFound("dashboard file");
        if (!it->second.body) {
            throw Error(ErrorCode::kUnavailable, "dashboard_unavailable",
                        "the dashboard's files are not installed on this server");
        }
        http::Response r;
        r.content_type = it->second.content_type;
        r.body = *it->second.body;
        r.Header("Cache-Control", "no-cache");
        r.Header("X-Content-Type-Options", "nosniff");
        // Nothing from elsewhere: no CDN, no map tiles (ECharts styles its own elements).
        r.Header("Content-Security-Policy",
                 "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
        return r;
    });
}

}  // namespace lantian::reports
