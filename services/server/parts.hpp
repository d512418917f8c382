#pragma once

#include "auth/auth_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/session_repository.hpp"
#include "auth/user_repository.hpp"
#include "auth/user_service.hpp"
#include "common/clock.hpp"
#include "db/pool.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "evidence/attachment_repository.hpp"
#include "evidence/attachment_service.hpp"
#include "evidence/blob_store.hpp"
#include "issues/audit_repository.hpp"
#include "issues/idempotency_repository.hpp"
#include "issues/inspection_repository.hpp"
#include "issues/issue_repository.hpp"
#include "issues/issue_service.hpp"
#include "issues/rules_repository.hpp"
#include "reports/report_repository.hpp"
#include "reports/report_service.hpp"
#include "server/config.hpp"
#include "sites/site_repository.hpp"
#include "sites/site_service.hpp"
#include "units/unit_repository.hpp"
#include "units/unit_service.hpp"

// The service's parts, built in dependency order in wiring.cpp and nowhere else. Every command
// builds the smallest layer it needs; `serve` adds the HTTP front (server::Service).
namespace lantian::server {

/// The ledger's store and rules: the pool, the clock, the repositories and the services that
/// need nothing more. Cheap: it connects on first use and touches no file.
struct Core {
    /// `clock` (default: the system's) is what the services read; it must outlive the Core.
    explicit Core(const Config& config, const Clock* clock = nullptr);

    db::Pool pool;
    SystemClock system_clock;
    const Clock& clock;
    units::UnitRepository unit_repository;
    units::UnitService units;
    sites::SiteRepository site_repository;
    sites::SiteService sites;
    issues::IssueRepository issue_repository;
    issues::InspectionRepository inspection_repository;
    issues::AuditRepository audit_repository;
    issues::IdempotencyRepository idempotency_repository;
    issues::RulesRepository rules_repository;
    issues::IssueService issues;
    dispatch::DispatchRepository dispatch_repository;
    dispatch::DispatchService dispatch;
    reports::ReportRepository report_repository;
    reports::ReportService reports;
};

/// Everything but HTTP: the Core, sign-in and evidence photos. Building it hashes once (the
/// hasher's timing decoy) and creates the blob directory.
struct Parts {
    explicit Parts(const Config& config, const Clock* clock = nullptr);

    /// Creates the configured administrator when none exists yet.
    bool BootstrapAdministrator(const Config& config);

    Core core;
    auth::PasswordHasher hasher;
    auth::UserRepository user_repository;
    auth::SessionRepository session_repository;
    auth::AuthService auth;
    auth::UserService users;
    evidence::AttachmentRepository attachment_repository;
    evidence::LocalBlobStore blobs;
    evidence::AttachmentService attachments;
};

}  // namespace lantian::server
