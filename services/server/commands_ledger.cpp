// lantian admin create-user, audit verify, reports verify|rebuild, dispatch: one-shot commands
// on the ledger.
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>

#include "common/time.hpp"
#include "server/commands.hpp"
#include "server/parts.hpp"

namespace lantian::server::cli {

namespace {

int CreateUser(const Config& config, const auth::NewUser& user) {
    Parts parts(config);
    const auto created = parts.users.Create(user);
    std::cout << "created user " << created.username << " (id " << created.id << ", role "
              << created.role << ")\n";
    return 0;
}

int AuditVerify(const Config& config) {
    Core core(config);
    auto conn = core.pool.Acquire();
    const auto result = core.audit_repository.Verify(*conn);
    if (result.first_bad_seq) {
        std::cout << "audit trail BROKEN after checking " << result.events
                  << " events: " << result.problem << '\n';
        return 2;
    }
    std::cout << "audit trail intact: " << result.events << " events verified\n";
    return 0;
}

int Reports(const Config& config, bool rebuild) {
    Config one = config;  // one connection, waited for up to 5 s
    one.workers = 1;
    one.db_acquire_timeout_ms = 5'000;
    Core core(one);
    if (rebuild) {
        core.reports.Rebuild();
        std::cout << "report aggregates rebuilt from the ledger\n";
        return 0;
    }
    const long long differing = core.reports.Verify();
    if (differing > 0) {
        std::cout << "report aggregates DIFFER from the ledger in " << differing
                  << " rows; run `lantian reports rebuild`\n";
        return 2;
    }
    std::cout << "report aggregates equal a recomputation from the ledger\n";
    return 0;
}

int Dispatch(const Config& config, const std::string& day, const std::string& now) {
    std::optional<ManualClock> fixed;
    if (!now.empty()) {
        const auto t = ParseRfc3339(now);
        if (!t) throw std::invalid_argument("--now must be an RFC 3339 time with an offset");
        fixed.emplace(*t);
    }
    Core core(config, fixed ? &*fixed : nullptr);
    const std::string date = day.empty() ? DistrictDate(core.dispatch.Now()) : day;
    const auto run = core.dispatch.Run(date, "cli:" + date);
    std::cout << (run.created ? "ran" : "already ran") << " the dispatch for " << run.day << ": "
              << run.assigned_count << " assigned, " << run.escalation_count << " escalations\n";
    return 0;
}

}  // namespace

void AddAdminCommands(CLI::App& app, Config& config, Commands& out) {
    auto* admin = app.add_subcommand("admin", "administration");
    admin->require_subcommand(1);
    auto* create_user = admin->add_subcommand("create-user", "create a user of any role");
    config.AddDatabaseOption(*create_user);
    config.AddAuthOptions(*create_user);
    auto user = std::make_shared<auth::NewUser>();
    create_user->add_option("--username", user->username)->required();
    create_user->add_option("--display-name", user->display_name)->required();
    create_user->add_option("--role", user->role)->default_val("admin");
    create_user->add_option("--unit-id", user->unit_id);
    create_user->add_option("--password", user->password, "or LANTIAN_NEW_USER_PASSWORD")
        ->envname("LANTIAN_NEW_USER_PASSWORD")
        ->required();
    out.push_back({create_user, [&config, user] { return CreateUser(config, *user); }});
}

void AddAuditCommands(CLI::App& app, Config& config, Commands& out) {
    auto* audit = app.add_subcommand("audit", "the audit trail");
    audit->require_subcommand(1);
    auto* verify =
        audit->add_subcommand("verify", "walk the hash chain; exit 2 naming the first bad event");
    config.AddDatabaseOption(*verify);
    out.push_back({verify, [&config] { return AuditVerify(config); }});
}

void AddReportsCommands(CLI::App& app, Config& config, Commands& out) {
    auto* reports = app.add_subcommand("reports", "the reports' aggregates");
    reports->require_subcommand(1);
    auto* verify = reports->add_subcommand(
        "verify", "compare the aggregates with a recomputation; exit 2 when they differ");
    config.AddDatabaseOption(*verify);
    auto* rebuild = reports->add_subcommand("rebuild", "recompute the aggregates from the ledger");
    config.AddDatabaseOption(*rebuild);
    out.push_back({verify, [&config] { return Reports(config, false); }});
    out.push_back({rebuild, [&config] { return Reports(config, true); }});
}

void AddDispatchCommand(CLI::App& app, Config& config, Commands& out) {
    auto* dispatch = app.add_subcommand("dispatch", "run the daily dispatch for a day (once)");
    config.AddDatabaseOption(*dispatch);
    config.AddAuthOptions(*dispatch);
    struct Options {
        std::string day, now;
    };
    auto options = std::make_shared<Options>();
    dispatch->add_option("--date", options->day, "YYYY-MM-DD, district time (default: today)");
    dispatch->add_option("--now", options->now, "the clock for this run, RFC 3339 (rehearsals)");
    out.push_back(
        {dispatch, [&config, options] { return Dispatch(config, options->day, options->now); }});
}

}  // namespace lantian::server::cli
