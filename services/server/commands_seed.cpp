// lantian seed-demo: the demo district, its users and (into an empty ledger) its history.
#include <fstream>
#include <iostream>
#include <memory>
#include <pqxx/connection>

#include "common/log.hpp"
#include "db/pool.hpp"
#include "seed/demo_history.hpp"
#include "seed/demo_seed.hpp"
#include "seed/demo_users.hpp"
#include "server/commands.hpp"
#include "server/parts.hpp"

namespace lantian::server::cli {

namespace {

struct SeedOptions {
    std::string credentials_file;
    int history_days = 45;
};

void WriteCredentials(const std::vector<seed::DemoCredential>& created,
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

void SeedHistory(const Config& config, Parts& parts, int days) {
    if (days <= 0) return;
    seed::HistoryOptions options;
    options.days = days;
    options.dispatch_minute = config.DispatchMinute();
    const auto r = seed::SeedDemoHistory(parts.core.pool, parts.users, parts.blobs, options);
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

int SeedDemo(const Config& config, const SeedOptions& demo) {
    // A bad --dispatch-time fails before anything is written.
    if (demo.history_days > 0) config.DispatchMinute();
    pqxx::connection conn(db::WithConnectDefaults(config.database_url));
    const auto counts = seed::SeedDemoDistrict(conn);
    log::Info(
        *log::Get("seed"),
        log::Line("demo district loaded").Int("units", counts.units).Int("sites", counts.sites));
    Parts parts(config);
    const auto created = seed::SeedDemoUsers(conn, parts.users);
    if (!created.empty()) WriteCredentials(created, demo.credentials_file);
    SeedHistory(config, parts, demo.history_days);
    return 0;
}

}  // namespace

void AddSeedCommand(CLI::App& app, Config& config, Commands& out) {
    auto* seed = app.add_subcommand("seed-demo", "load the demo district and users (idempotent)");
    config.AddDatabaseOption(*seed);
    config.AddAuthOptions(*seed);
    auto options = std::make_shared<SeedOptions>();
    seed->add_option("--credentials-file", options->credentials_file,
                     "append new demo users' passwords here (default: stdout)")
        ->envname("LANTIAN_DEMO_CREDENTIALS_FILE");
    seed->add_option("--history-days", options->history_days,
                     "replay this many days of district life into an empty ledger (0: none)")
        ->envname("LANTIAN_DEMO_HISTORY_DAYS")
        ->check(CLI::Range(0, 366));
    seed->add_option("--blob-dir", config.blob_dir, "directory for evidence photos (the server's)")
        ->envname("LANTIAN_BLOB_DIR");
    seed->add_option("--dispatch-time", config.dispatch_time,
                     "the daily dispatch time HH:MM (district time) the history follows")
        ->envname("LANTIAN_DISPATCH_TIME");
    out.push_back({seed, [&config, options] { return SeedDemo(config, *options); }});
}

}  // namespace lantian::server::cli
