#include "seed/demo_history.hpp"

#include <sodium.h>

#include <algorithm>
#include <pqxx/pqxx>
#include <stdexcept>

#include "common/time.hpp"
#include "db/transaction.hpp"
#include "seed/demo_history_replay.hpp"

namespace lantian::seed {

namespace {

// Held for the whole replay (many transactions): a second seeder waits, then finds issues.
constexpr const char* kLock = "select pg_advisory_lock(7359204417)";
constexpr const char* kLedgerHasIssues = "select exists (select 1 from issues)";
constexpr const char* kAsynchronousCommit = "set session synchronous_commit = off";

}  // namespace

HistoryResult SeedDemoHistory(db::Pool& pool, auth::UserService& users, evidence::BlobStore& blobs,
                              const HistoryOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    HistoryResult result;
    if (options.days <= 0) return result;
    // Photos are hashed and stored from two threads (see history::Darkroom), handlers' passwords
    // hashed from two: libsodium must be initialised first (main() has; tests may not).
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    pqxx::connection lock(pool.url());
    {
        pqxx::nontransaction tx(lock);
        tx.exec(kLock);
        if (tx.exec1(kLedgerHasIssues)[0].as<bool>()) return result;  // closing unlocks
    }

    // The manual clock never runs ahead of the real one: today's part is today so far.
    const TimePoint now = SystemClock().Now();
    history::ReplaySettings settings;
    settings.end = options.until ? std::min(*options.until, now) : now;
    settings.dispatch_minute = options.dispatch_minute;
    settings.seed = options.seed;
    const std::string today = DistrictDate(settings.end);
    for (int k = options.days - 1; k >= 0; --k) settings.days.push_back(AddDays(today, -k));

    // The replay's own connection, without waiting for each commit to reach the disk: some
    // three thousand small transactions in a row. A crash loses at most the last few of them,
    // never the ledger's consistency; the photos' bytes are still written durably first.
    db::Pool replay_pool(pool.url(), 1, std::chrono::seconds(30));
    db::InTransaction(replay_pool,
                      [](pqxx::transaction_base& tx) { tx.exec(kAsynchronousCommit); });

    history::Replay replay(replay_pool, users, blobs, std::move(settings));
    replay.Run();

    result.replayed = true;
    result.days = options.days;
    result.issues = replay.issues();
    result.dispatch_runs = replay.dispatch_runs();
    result.escalations = replay.escalations();
    result.photos = replay.photos();
    result.handlers_created = replay.handlers_created();
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return result;
}

}  // namespace lantian::seed
