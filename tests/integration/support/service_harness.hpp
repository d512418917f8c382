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

/// The production service (server::Service, so its routes are exactly the ones wiring.cpp
/// registers) on a test database, with a request pipeline in front of its router.
///
/// wiring.cpp keeps its Pipeline private, so the pipeline and its auth step are rebuilt here
/// the way wiring.cpp builds them: Pipeline(router, metrics) + MakeAuthStep(AuthService) with
/// the same session policy. Everything behind the router is the service's own.
class ServiceHarness {
public:
    /// `pool` is the test's pool on the same database, used for authentication. `workers` sizes
    /// the service's own pool (raise it for tests with many concurrent requests). Evidence photos
    /// go to a fresh temporary directory of the harness's own, removed with it.
    ServiceHarness(const std::string& database_url, db::Pool& pool, int workers = 4);
    ~ServiceHarness();

    http::Response Handle(http::Request& request) const { return pipeline_->Handle(request); }
    const http::Pipeline& pipeline() const { return *pipeline_; }
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
    auth::PasswordHasher hasher_;
    auth::UserRepository user_repository_;
    auth::SessionRepository session_repository_;
    std::unique_ptr<auth::AuthService> auth_;
    http::Metrics metrics_;
    std::unique_ptr<http::Pipeline> pipeline_;
};

/// A request as the HTTP server hands it to the pipeline. Empty strings leave out the
/// Authorization header (`token`), the body and its content type, and If-Match.
http::Request MakeRequest(const std::string& method, const std::string& target,
                          const std::string& token = "", const std::string& body = "",
                          const std::string& if_match = "");

}  // namespace lantian::itest
