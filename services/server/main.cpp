// lantian: the pollution-source inspection ledger. One binary, several subcommands.
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <pqxx/connection>

#include "auth/user_service.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/time.hpp"
#include "db/migrator.hpp"
#include "db/pool.hpp"
#include "dispatch/dispatch_repository.hpp"
#include "dispatch/dispatch_service.hpp"
#include "evidence/blob_store.hpp"
#include "issues/audit_repository.hpp"
#include "reports/report_repository.hpp"
#include "reports/report_service.hpp"
#include "seed/demo_history.hpp"
#include "seed/demo_seed.hpp"
#include "seed/demo_users.hpp"
#include "server/config.hpp"
#include "server/wiring.hpp"

namespace {

using lantian::server::Config;
namespace log = lantian::log;

int Migrate(const Config& config) {
    auto logger = log::Get("migrate");
    {
        pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
        const auto applied = lantian::db::Migrate(conn, lantian::db::EmbeddedMigrations());
        for (const auto& name : applied)
            log::Info(*logger, log::Line("applied").Str("migration", name));
        log::Info(
            *logger,
            log::Line("schema is current")
                .Int("applied_now", static_cast<std::int64_t>(applied.size()))
                .Int("known", static_cast<std::int64_t>(lantian::db::EmbeddedMigrations().size())));
    }
    lantian::server::Service(config).BootstrapAdministrator(config);
    return 0;
}

int MigrateStatus(const Config& config) {
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto status = lantian::db::InspectSchema(conn, lantian::db::EmbeddedMigrations());
    std::cout << "applied " << status.applied << ", pending " << status.pending;
    for (const auto& name : status.edited) std::cout << ", edited after applying: " << name;
    std::cout << '\n';
    return status.current() ? 0 : 1;
}

void WriteCredentials(const std::vector<lantian::seed::DemoCredential>& created,
                      const std::string& credentials_file) {
    std::ofstream file;
    if (!credentials_file.empty()) {
        file.open(credentials_file, std::ios::app);
        if (!file) throw std::runtime_error("could not open " + credentials_file);
    }
    std::ostream& out = credentials_file.empty() ? std::cout : file;
    for (const auto& c : created) {
        out << c.username << '\t' << c.password << '\t' << c.role << '\t' << c.unit_name << '\n';
    }
    log::Info(*log::Get("seed"),
              log::Line("demo users created")
                  .Int("users", static_cast<std::int64_t>(created.size()))
                  .Str("credentials", credentials_file.empty() ? "stdout" : credentials_file));
}

void SeedHistory(const Config& config, lantian::server::Service& service, int days) {
    if (days <= 0) return;
    lantian::evidence::LocalBlobStore blobs(config.blob_dir);
    lantian::seed::HistoryOptions options;
    options.days = days;
    options.dispatch_minute = config.DispatchMinute();
    const auto r = lantian::seed::SeedDemoHistory(service.pool(), service.users(), blobs, options);
    auto logger = log::Get("seed");
    if (!r.replayed) {
        log::Info(*logger, log::Line("demo history skipped: the ledger has issues already"));
        return;
    }
    log::Info(*logger, log::Line("demo history replayed")
                           .Int("days", r.days)
                           .Int("issues", r.issues)
                           .Int("dispatch_runs", r.dispatch_runs)
                           .Int("escalations", r.escalations)
                           .Int("photos", r.photos)
                           .Int("handlers_created", r.handlers_created)
                           .Int("ms", static_cast<std::int64_t>(r.elapsed.count())));
}

int SeedDemo(const Config& config, const std::string& credentials_file, int history_days) {
    if (history_days > 0) config.DispatchMinute();  // a bad --dispatch-time fails before writing
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto counts = lantian::seed::SeedDemoDistrict(conn);
    log::Info(
        *log::Get("seed"),
        log::Line("demo district loaded").Int("units", counts.units).Int("sites", counts.sites));
    lantian::server::Service service(config);
    const auto created = lantian::seed::SeedDemoUsers(conn, service.users());
    if (!created.empty()) WriteCredentials(created, credentials_file);
    SeedHistory(config, service, history_days);
    return 0;
}

int AuditVerify(const Config& config) {
    pqxx::connection conn(lantian::db::WithConnectDefaults(config.database_url));
    const auto result = lantian::issues::AuditRepository().Verify(conn);
    if (result.first_bad_seq) {
        std::cout << "audit trail BROKEN after checking " << result.events
                  << " events: " << result.problem << '\n';
        return 2;
    }
    std::cout << "audit trail intact: " << result.events << " events verified\n";
    return 0;
}

int Reports(const Config& config, bool rebuild) {
    lantian::db::Pool pool(config.database_url, 1, std::chrono::seconds(5));
    const lantian::SystemClock clock;
    const lantian::reports::ReportRepository repository;
    lantian::reports::ReportService reports(pool, clock, repository);
    if (rebuild) {
        reports.Rebuild();
        std::cout << "report aggregates rebuilt from the ledger\n";
        return 0;
    }
    const long long differing = reports.Verify();
    if (differing > 0) {
        std::cout << "report aggregates DIFFER from the ledger in " << differing
                  << " rows; run `lantian reports rebuild`\n";
        return 2;
    }
    std::cout << "report aggregates equal a recomputation from the ledger\n";
    return 0;
}

int Dispatch(const Config& config, const std::string& day, const std::string& now) {
    lantian::server::Service service(config);
    std::optional<lantian::ManualClock> fixed;
    if (!now.empty()) {
        const auto t = lantian::ParseRfc3339(now);
        if (!t) throw std::invalid_argument("--now must be an RFC 3339 time with an offset");
        fixed.emplace(*t);
    }
    lantian::dispatch::DispatchService* dispatch = &service.dispatch();
    lantian::dispatch::DispatchRepository repository;
    std::optional<lantian::dispatch::DispatchService> with_clock;
    if (fixed) {
        with_clock.emplace(service.pool(), *fixed, repository);
        dispatch = &*with_clock;
    }
    const std::string date = day.empty() ? lantian::DistrictDate(dispatch->Now()) : day;
    const auto run = dispatch->Run(date, "cli:" + date);
    std::cout << (run.created ? "ran" : "already ran") << " the dispatch for " << run.day << ": "
              << run.assigned_count << " assigned, " << run.escalation_count << " escalations\n";
    return 0;
}

int CreateUser(const Config& config, const lantian::auth::NewUser& user) {
    lantian::server::Service service(config);
    const auto created = service.users().Create(user);
    std::cout << "created user " << created.username << " (id " << created.id << ", role "
              << created.role << ")\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (sodium_init() < 0) {
        std::cerr << "lantian: libsodium failed to initialise\n";
        return 1;
    }
    CLI::App app{"Lantian (蓝天): the pollution-source inspection ledger"};
    app.require_subcommand(1);
    Config config;

    auto* serve = app.add_subcommand("serve", "serve the HTTP API (never migrates by itself)");
    config.AddDatabaseOption(*serve);
    config.AddServeOptions(*serve);
    config.AddAuthOptions(*serve);

    auto* migrate = app.add_subcommand("migrate", "apply pending schema migrations");
    config.AddDatabaseOption(*migrate);
    config.AddAuthOptions(*migrate);
    bool status_only = false;
    migrate->add_flag("--status", status_only, "only report; exit 1 when the schema is behind");

    auto* seed = app.add_subcommand("seed-demo", "load the demo district and users (idempotent)");
    config.AddDatabaseOption(*seed);
    config.AddAuthOptions(*seed);
    std::string credentials_file;
    seed->add_option("--credentials-file", credentials_file,
                     "append new demo users' passwords here (default: stdout)")
        ->envname("LANTIAN_DEMO_CREDENTIALS_FILE");
    int history_days = 45;
    seed->add_option("--history-days", history_days,
                     "replay this many days of district life into an empty ledger (0: none)")
        ->envname("LANTIAN_DEMO_HISTORY_DAYS")
        ->check(CLI::Range(0, 366));
    seed->add_option("--blob-dir", config.blob_dir, "directory for evidence photos (the server's)")
        ->envname("LANTIAN_BLOB_DIR");
    seed->add_option("--dispatch-time", config.dispatch_time,
                     "the daily dispatch time HH:MM (district time) the history follows")
        ->envname("LANTIAN_DISPATCH_TIME");

    auto* admin = app.add_subcommand("admin", "administration");
    admin->require_subcommand(1);
    auto* create_user = admin->add_subcommand("create-user", "create a user of any role");
    config.AddDatabaseOption(*create_user);
    config.AddAuthOptions(*create_user);
    lantian::auth::NewUser new_user;
    create_user->add_option("--username", new_user.username)->required();
    create_user->add_option("--display-name", new_user.display_name)->required();
    create_user->add_option("--role", new_user.role)->default_val("admin");
    create_user->add_option("--unit-id", new_user.unit_id);
    create_user->add_option("--password", new_user.password, "or LANTIAN_NEW_USER_PASSWORD")
        ->envname("LANTIAN_NEW_USER_PASSWORD")
        ->required();

    auto* audit = app.add_subcommand("audit", "the audit trail");
    audit->require_subcommand(1);
    auto* audit_verify =
        audit->add_subcommand("verify", "walk the hash chain; exit 2 naming the first bad event");
    config.AddDatabaseOption(*audit_verify);

    auto* reports = app.add_subcommand("reports", "the reports' aggregates");
    reports->require_subcommand(1);
    auto* reports_verify = reports->add_subcommand(
        "verify", "compare the aggregates with a recomputation; exit 2 when they differ");
    config.AddDatabaseOption(*reports_verify);
    auto* reports_rebuild =
        reports->add_subcommand("rebuild", "recompute the aggregates from the ledger");
    config.AddDatabaseOption(*reports_rebuild);

    auto* dispatch = app.add_subcommand("dispatch", "run the daily dispatch for a day (once)");
    config.AddDatabaseOption(*dispatch);
    config.AddAuthOptions(*dispatch);
    std::string dispatch_day, dispatch_now;
    dispatch->add_option("--date", dispatch_day, "YYYY-MM-DD, district time (default: today)");
    dispatch->add_option("--now", dispatch_now, "the clock for this run, RFC 3339 (rehearsals)");

    auto* routes = app.add_subcommand("routes", "print the registered routes, one per line");

    CLI11_PARSE(app, argc, argv);

    try {
        log::Init(config.log_level);
        lantian::SetDistrictTimeZone(config.time_zone);
        if (*routes) {
            for (const auto& line : lantian::server::RouteTable()) std::cout << line << '\n';
            return 0;
        }
        if (*serve) {
            config.ToServerOptions();  // validate before anything starts
            lantian::server::Service service(config);
            service.BootstrapAdministrator(config);
            return service.Serve(config);
        }
        if (*migrate) return status_only ? MigrateStatus(config) : Migrate(config);
        if (*seed) return SeedDemo(config, credentials_file, history_days);
        if (*create_user) return CreateUser(config, new_user);
        if (*audit_verify) return AuditVerify(config);
        if (*reports_verify) return Reports(config, false);
        if (*reports_rebuild) return Reports(config, true);
        if (*dispatch) return Dispatch(config, dispatch_day, dispatch_now);
    } catch (const lantian::Error& e) {
        std::string detail = e.what();
        for (const auto& f : e.fields()) detail += "; " + f.field + ": " + f.message;
        log::Error(*log::Get("main"), log::Line("fatal").Str("error", detail));
        return 1;
    } catch (const std::exception& e) {
        log::Error(*log::Get("main"),
                   log::Line("fatal").Str("error", lantian::server::RedactUrl(e.what())));
        return 1;
    }
    return 0;
}
