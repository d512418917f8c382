#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <pqxx/connection>
#include <string>

#include "db/pool.hpp"

namespace lantian::itest {

/// The libpq URI `url` with its database replaced by `dbname` (host, user and options kept).
std::string UrlForDatabase(const std::string& url, const std::string& dbname);

/// A database of one test's own on the cluster named by LANTIAN_TEST_ADMIN_URL, dropped (with
/// FORCE, so a leaked connection cannot keep it alive) when the object goes away.
class ScratchDatabase {
public:
    enum class Contents {
        kMigrated,  // a clone of LANTIAN_TEST_TEMPLATE_DB
        kEmpty,     // a clone of template0: no extensions, no schema_migrations
    };

    /// Throws std::runtime_error, saying what to set, when the environment is incomplete or
    /// the cluster refuses.
    explicit ScratchDatabase(Contents contents);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    const std::string& name() const { return name_; }
    const std::string& url() const { return url_; }
    /// A new connection of the test's own, outside any pool.
    std::unique_ptr<pqxx::connection> Connect() const;

private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

/// A fresh clone of the migrated template per test, with a pool on it.
class DatabaseTest : public ::testing::Test {
protected:
    static constexpr std::size_t kPoolSize = 12;

    void SetUp() override;
    void TearDown() override;

    db::Pool& pool() { return *pool_; }
    ScratchDatabase& database() { return *database_; }
    /// Runs one statement in its own transaction and returns the first column of its one row.
    std::string QueryValue(const std::string& sql);
    void Execute(const std::string& sql);

private:
    std::unique_ptr<ScratchDatabase> database_;
    std::unique_ptr<db::Pool> pool_;
};

/// The same, with the demo district (seed::SeedDemoDistrict) loaded into the clone.
class SeededDatabaseTest : public DatabaseTest {
protected:
    void SetUp() override;
    /// The id of the unit with this code (the demo's codes: JF-SD-JIAOXI, JF-PK-CYJJQ, ...).
    long long UnitId(const std::string& code);
};

/// An axis-aligned rectangle of WGS-84 degrees.
struct Box {
    double west;
    double south;
    double east;
    double north;
};

/// Inserts a territorial unit (subdistrict or park) with `box` as its boundary, the way the demo
/// seed does, since the API cannot set boundaries. Returns its id.
long long InsertTerritory(db::Pool& pool, const std::string& code, const std::string& name,
                          const Box& box, const std::string& kind = "subdistrict");

}  // namespace lantian::itest
