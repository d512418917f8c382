// TimePoint bound as a timestamptz parameter and read from timestamptz columns (db/timestamp.hpp)
// against the real server: exact to the microsecond, whatever the session's TimeZone.
#include "db/timestamp.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "common/time.hpp"
#include "db/nullable.hpp"
#include "db/statement.hpp"
#include "db/transaction.hpp"
#include "support/scratch_database.hpp"

namespace lantian {
namespace {

class TimestamptzTest : public itest::DatabaseTest {};

// 2026-11-26T16:00:00Z, and instants with every kind of fraction.
constexpr long long kMidnightShanghaiMicros = (20783LL * 86400 + 16 * 3600) * 1'000'000;
const long long kInstants[] = {
    kMidnightShanghaiMicros, kMidnightShanghaiMicros + 1, kMidnightShanghaiMicros + 123'456,
    kMidnightShanghaiMicros + 999'999,
    // Precision that float8 seconds would round (2^53 µs is 2255-06-05).
    9'007'199'254'740'993LL, 0, -1,
    -2'208'988'800'000'000LL + 7,  // 1900-01-01: local mean time offsets with seconds
};

TEST_F(TimestamptzTest, RoundTripsExactlyUnderEverySessionTimeZone) {
    for (const char* zone : {"Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata",
                             "Asia/Kathmandu", "Pacific/Chatham"}) {
        db::Read(pool(), [&](pqxx::transaction_base& tx) {
            tx.exec("set time zone '" + std::string(zone) + "'");
            for (long long us : kInstants) {
                const TimePoint t = FromEpochMicros(us);
                const auto row = db::Exec1(tx,
                                           "select $1::timestamptz, (extract(epoch from "
                                           "$1::timestamptz) * 1000000)::bigint",
                                           t);
                EXPECT_EQ(row[0].as<TimePoint>(), t) << zone << " " << row[0].c_str();
                EXPECT_EQ(row[1].as<long long>(), us) << zone;
            }
            tx.exec("reset time zone");
        });
    }
}

TEST_F(TimestamptzTest, NulloptBindsNullAndNullReadsAsNullopt) {
    db::Read(pool(), [&](pqxx::transaction_base& tx) {
        const std::optional<TimePoint> none;
        const std::optional<TimePoint> some = FromEpochMicros(kMidnightShanghaiMicros + 5);
        const auto row =
            db::Exec1(tx, "select $1::timestamptz, $2::timestamptz, $1 is null", none, some);
        EXPECT_EQ(db::Nullable<TimePoint>(row[0]), std::nullopt);
        EXPECT_EQ(db::Nullable<TimePoint>(row[1]), some);
        EXPECT_TRUE(row[2].as<bool>());
    });
}

TEST_F(TimestamptzTest, StoresWhatTheOldEpochArithmeticStored) {
    // The repositories used to bind to_timestamp($n::float8 / 1e6); for the instants the
    // service meets, the value stored is the same to the microsecond.
    db::Read(pool(), [&](pqxx::transaction_base& tx) {
        for (long long us : {kMidnightShanghaiMicros, kMidnightShanghaiMicros + 123'456,
                             kMidnightShanghaiMicros + 999'999}) {
            const auto row =
                db::Exec1(tx, "select $1::timestamptz = to_timestamp($2::float8 / 1e6)",
                          FromEpochMicros(us), us);
            EXPECT_TRUE(row[0].as<bool>()) << us;
        }
    });
}

TEST_F(TimestamptzTest, AnUnreadableValueIsAConversionError) {
    db::Read(pool(), [&](pqxx::transaction_base& tx) {
        const auto row = tx.exec1("select 'infinity'::timestamptz");
        EXPECT_THROW(row[0].as<TimePoint>(), pqxx::conversion_error);
    });
}

}  // namespace
}  // namespace lantian
