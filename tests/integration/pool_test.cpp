// The pool against a real PostgreSQL: idle connections the server closed (a restart) are not
// handed out, a read whose connection is lost mid-use is retried once on a fresh one (a write
// is not), statements are bounded,
// and a database marked unreachable fails requests at once, including those already waiting on it.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "db/transaction.hpp"
#include "support/scratch_database.hpp"

namespace lantian::itest {
namespace {

using std::chrono::milliseconds;

class PoolTest : public ::testing::Test {
protected:
    void SetUp() override {
        database_ = std::make_unique<ScratchDatabase>(ScratchDatabase::Contents::kEmpty);
    }

    /// Ends every backend of the test database but `keep`'s, as a restart would.
    void TerminateOthers(pqxx::connection& keep) {
        pqxx::nontransaction tx(keep);
        tx.exec("select pg_terminate_backend(pid) from pg_stat_activity where datname = " +
                tx.quote(database_->name()) + " and pid <> pg_backend_pid()");
        // Bounded: wait until the backends are gone.
        for (int i = 0; i < 100; ++i) {
            const auto left =
                tx.exec1("select count(*) from pg_stat_activity where datname = " +
                         tx.quote(database_->name()) + " and pid <> pg_backend_pid()")[0]
                    .as<int>();
            if (left == 0) return;
            std::this_thread::sleep_for(milliseconds(20));
        }
    }

    std::unique_ptr<ScratchDatabase> database_;
};

int Backend(pqxx::transaction_base& tx) {
    return tx.exec1("select pg_backend_pid()")[0].as<int>();
}

TEST_F(PoolTest, IdleConnectionsClosedByTheServerAreReplacedBeforeUse) {
    db::Pool pool(database_->url(), 4, milliseconds(1000));
    {
        // Four connections open at once, then idle in the pool.
        std::vector<db::Pool::Lease> leases;
        for (int i = 0; i < 4; ++i) leases.push_back(pool.Acquire());
    }
    auto admin = database_->Connect();
    TerminateOthers(*admin);

    for (int i = 0; i < 6; ++i) {
        EXPECT_NO_THROW(db::Read(pool, [](pqxx::transaction_base& tx) { return Backend(tx); }))
            << "request " << i;
    }
}

TEST_F(PoolTest, AReadWhoseConnectionBreaksIsRetriedOnceOnAFreshConnection) {
    db::Pool pool(database_->url(), 2, milliseconds(1000));
    int calls = 0;
    const int pid = db::Read(pool, [&](pqxx::transaction_base& tx) {
        if (++calls == 1) tx.exec("select pg_terminate_backend(pg_backend_pid())");
        return Backend(tx);
    });
    EXPECT_EQ(calls, 2);
    EXPECT_GT(pid, 0);
}

TEST_F(PoolTest, ATransactionWhoseSessionIsKilledFailsAndIsNotRunAgain) {
    db::Pool pool(database_->url(), 2, milliseconds(1000));
    int calls = 0;
    EXPECT_THROW(db::InTransaction(pool,
                                   [&](pqxx::transaction_base& tx) {
                                       ++calls;
                                       tx.exec("select pg_terminate_backend(pg_backend_pid())");
                                       Backend(tx);
                                   }),
                 pqxx::broken_connection);
    EXPECT_EQ(calls, 1);
    // The broken connection was not given back.
    EXPECT_GT(db::Read(pool, [](pqxx::transaction_base& tx) { return Backend(tx); }), 0);
}

TEST_F(PoolTest, ASecondLossPropagates) {
    db::Pool pool(database_->url(), 2, milliseconds(1000));
    int calls = 0;
    EXPECT_THROW(db::Read(pool,
                          [&](pqxx::transaction_base& tx) {
                              ++calls;
                              tx.exec("select pg_terminate_backend(pg_backend_pid())");
                              return Backend(tx);
                          }),
                 pqxx::broken_connection);
    EXPECT_EQ(calls, 2);
}

TEST_F(PoolTest, StatementsRunNoLongerThanTheStatementTimeout) {
    db::ConnectionSettings settings;
    settings.statement_timeout_ms = 200;
    db::Pool pool(database_->url(), 1, milliseconds(1000), settings);
    const auto started = std::chrono::steady_clock::now();
    try {
        db::Read(pool, [](pqxx::transaction_base& tx) { return tx.exec("select pg_sleep(5)"); });
        FAIL() << "pg_sleep(5) completed";
    } catch (const pqxx::sql_error& e) {
        EXPECT_EQ(e.sqlstate(), "57014");
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, milliseconds(2000));
    // The connection is still good.
    EXPECT_EQ(db::Read(pool, [](pqxx::transaction_base& tx) { return Backend(tx); }) > 0, true);
}

TEST_F(PoolTest, ConnectionsCarryKeepalivesTcpUserTimeoutAndStatementTimeout) {
    db::ConnectionSettings settings;
    settings.statement_timeout_ms = 4321;
    settings.tcp_user_timeout_ms = 3000;
    settings.keepalives_idle_s = 7;
    settings.keepalives_interval_s = 2;
    settings.keepalives_count = 3;
    db::Pool pool(database_->url(), 1, milliseconds(1000), settings);
    const auto shown = db::Read(pool, [](pqxx::transaction_base& tx) {
        const auto row = tx.exec1(
            "select current_setting('statement_timeout'), current_setting('tcp_user_timeout'), "
            "current_setting('TimeZone')");
        return std::vector<std::string>{row[0].c_str(), row[1].c_str(), row[2].c_str()};
    });
    EXPECT_EQ(shown[0], "4321ms");
    EXPECT_EQ(shown[2], "Asia/Shanghai");
    // Client-side TCP settings are libpq's (the server's tcp_user_timeout is its own socket's).
    const std::string& url = pool.url();
    for (const char* want : {"keepalives=1", "keepalives_idle=7", "keepalives_interval=2",
                             "keepalives_count=3", "tcp_user_timeout=3000"}) {
        EXPECT_NE(url.find(want), std::string::npos) << url << " lacks " << want;
    }
}

TEST_F(PoolTest, AnUnreachableDatabaseFailsAcquireAtOnceAndWakesLeasedConnections) {
    db::Pool pool(database_->url(), 1, milliseconds(5000));
    std::promise<void> started;
    auto blocked = std::async(std::launch::async, [&] {
        return db::Read(pool, [&](pqxx::transaction_base& tx) {
            started.set_value();
            return tx.exec("select pg_sleep(30)").size();
        });
    });
    started.get_future().wait();
    std::this_thread::sleep_for(milliseconds(200));

    const auto marked = std::chrono::steady_clock::now();
    pool.SetReachable(false);
    EXPECT_THROW(blocked.get(), pqxx::broken_connection);
    EXPECT_LT(std::chrono::steady_clock::now() - marked, milliseconds(1000));
    // A waiter does not sit out the acquire timeout.
    EXPECT_THROW(pool.Acquire(), pqxx::broken_connection);
    EXPECT_LT(std::chrono::steady_clock::now() - marked, milliseconds(1000));

    pool.SetReachable(true);
    EXPECT_GT(db::Read(pool, [](pqxx::transaction_base& tx) { return Backend(tx); }), 0);
}

}  // namespace
}  // namespace lantian::itest
