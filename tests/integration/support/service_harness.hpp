#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "auth/auth_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/session_repository.hpp"
#include "auth/user_repository.hpp"
#include "auth/user_service.hpp"
#include "db/pool.hpp"
#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/pipeline.hpp"
#include "http/router.hpp"
#include "server/wiring.hpp"

namespace lantian::itest {

/// The production service (server::Service, as wiring.cpp builds it) on a test database,
/// driven through its own request pipeline (auth step included) without sockets.
class ServiceHarness {
public:
    /// `workers` sizes the service's own pool (raise it for tests with many concurrent
    /// requests). Evidence photos go to a fresh temporary directory of the harness's own,
    /// removed with it. `pool` (the test's) is not used: the service authenticates on its own.
    ServiceHarness(const std::string& database_url, db::Pool& pool, int workers = 4);
    ~ServiceHarness();

    http::Response Handle(http::Request& request) const { return pipeline().Handle(request); }
    const http::Pipeline& pipeline() const { return service_->pipeline(); }
    const http::Router& router() const { return service_->router(); }
    auth::UserService& users() { return service_->users(); }
    /// The service's blob store directory (Config::blob_dir).
    const std::filesystem::path& blob_dir() const { return blob_dir_; }

    /// Signs in through POST /api/v1/sessions; returns the token (empty, with a test failure,
    /// when the sign-in is refused).
    std::string SignIn(const std::string& username, const std::string& password,
                       const std::string& remote_address = "192.0.2.10") const;

private:
    std::filesystem::path blob_dir_;
    std::unique_ptr<server::Service> service_;
};

/// A request as the HTTP server hands it to the pipeline. Empty strings leave out the
/// Authorization header (`token`), the body and its content type, and If-Match.
http::Request MakeRequest(const std::string& method, const std::string& target,
                          const std::string& token = "", const std::string& body = "",
                          const std::string& if_match = "");

}  // namespace lantian::itest
