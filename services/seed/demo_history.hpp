#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "auth/user_service.hpp"
#include "common/clock.hpp"
#include "db/pool.hpp"
#include "evidence/blob_store.hpp"

namespace lantian::seed {

struct HistoryOptions {
    int days = 45;                   // district days replayed, the last one today
    std::uint64_t seed = 20241027;   // the same seed and end give the same history
    int dispatch_minute = 8 * 60;    // the daily dispatch, minutes after district midnight
    std::optional<TimePoint> until;  // where the replay stops (default, and at most: now)
};

struct HistoryResult {
    bool replayed = false;  // false: the ledger had issues already, nothing was done
    int days = 0;
    long long issues = 0;
    long long dispatch_runs = 0;  // runs this replay made (a day that had run is assigned by hand)
    long long escalations = 0;
    long long photos = 0;
    int handlers_created = 0;
    std::chrono::milliseconds elapsed{0};
};

/// A realistic past for the demo district, made through the production services (issues,
/// evidence, the daily dispatch) with a manual clock moved through each day: inspectors report
/// findings (some fixed on the spot), the office types in hotline complaints and triages, the
/// dispatch assigns at the dispatch time and escalates, the lead units' handlers rectify with a
/// photo (some late, some never), the supervision bureau accepts or returns. So the audit trail,
/// report aggregates, bulletins and escalations are all genuine. Today's part stops at the real
/// current time.
///
/// Does nothing when the ledger has any issue (run it after SeedDemoDistrict and SeedDemoUsers).
/// Creates a handler (random password, never shown) for each unit that receives work and has
/// none. Photos go through `blobs`, which must be the store the server reads (--blob-dir).
HistoryResult SeedDemoHistory(db::Pool& pool, auth::UserService& users, evidence::BlobStore& blobs,
                              const HistoryOptions& options = {});

}  // namespace lantian::seed
