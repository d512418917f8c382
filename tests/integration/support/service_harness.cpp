#include "support/service_harness.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

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

/// A new empty directory under the system's temporary directory.
std::filesystem::path MakeTempDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lantian-blobs-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("could not create a temporary blob directory");
    }
    return pattern;
}

}  // namespace

ServiceHarness::ServiceHarness(const std::string& database_url, db::Pool& /*pool*/, int workers)
    : blob_dir_(MakeTempDirectory()) {
    log::Init("warn");  // one access line per request would drown the test output
    try {
        service_ = std::make_unique<server::Service>(TestConfig(database_url, workers, blob_dir_));
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(blob_dir_, ignored);  // no destructor runs to remove it
        throw;
    }
}

ServiceHarness::~ServiceHarness() {
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
