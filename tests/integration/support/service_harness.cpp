#include "support/service_harness.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "auth/http/auth_step.hpp"
#include "common/log.hpp"
#include "server/config.hpp"

namespace lantian::itest {

namespace {

server::Config TestConfig(const std::string& database_url, int workers,
                          const std::filesystem::path& blob_dir) {
    server::Config config;
    config.database_url = database_url;
    config.workers = workers;
    config.blob_dir = blob_dir.string();
    config.argon2_ops_limit = 1;  // cheap: these tests are about who may do what, not cost
    config.argon2_mem_limit_mib = 8;
    return config;
}

/// wiring.cpp's PolicyFrom, for the same configuration.
auth::SessionPolicy PolicyFrom(const server::Config& c) {
    auth::SessionPolicy p;
    p.idle_timeout = std::chrono::minutes(c.session_idle_minutes);
    p.absolute_timeout = std::chrono::hours(c.session_max_hours);
    p.max_failures_per_user = c.signin_max_failures;
    p.max_failures_per_address = c.signin_max_failures * 4;
    p.lockout = std::chrono::seconds(c.signin_lockout_seconds);
    return p;
}

/// A new empty directory under the system's temporary directory.
std::filesystem::path MakeTempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lantian-blobs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("could not create a temporary blob directory");
    }
    return pattern;
}

}  // namespace

ServiceHarness::ServiceHarness(const std::string& database_url, db::Pool& pool, int workers)
    : blob_dir_(MakeTempDirectory()), hasher_({1, 8 * 1024 * 1024}, 2) {
    log::Init("warn");  // one access line per request would drown the test output
    const server::Config config = TestConfig(database_url, workers, blob_dir_);
    service_ = std::make_unique<server::Service>(config);
    auth_ = std::make_unique<auth::AuthService>(pool, hasher_, user_repository_,
                                                session_repository_, PolicyFrom(config));
    pipeline_ = std::make_unique<http::Pipeline>(service_->router(), metrics_);
    pipeline_->SetAuthStep(auth::MakeAuthStep(*auth_));
}

ServiceHarness::~ServiceHarness() {
    pipeline_.reset();
    auth_.reset();
    service_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(blob_dir_, ignored);
}

std::string ServiceHarness::SignIn(const std::string& username, const std::string& password,
                                   const std::string& remote_address) const {
    http::Request request =
        MakeRequest("POST", "/api/v1/sessions", "",
                    nlohmann::json{{"username", username}, {"password", password}}.dump());
    request.remote_address = remote_address;
    const http::Response response = Handle(request);
    if (response.status != 201) {
        ADD_FAILURE() << "sign-in of " << username << " answered " << response.status << ": "
                      << response.body;
        return "";
    }
    return nlohmann::json::parse(response.body).at("token").get<std::string>();
}

http::Request MakeRequest(const std::string& method, const std::string& target,
                          const std::string& token, const std::string& body,
                          const std::string& if_match) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.remote_address = "192.0.2.10";
    if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
    if (!body.empty()) {
        request.body = body;
        request.headers["content-type"] = "application/json";
    }
    if (!if_match.empty()) request.headers["if-match"] = if_match;
    return request;
}

}  // namespace lantian::itest
