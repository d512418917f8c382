#include "db/migrator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "support/scratch_database.hpp"

namespace lantian::db {
namespace {

using itest::ScratchDatabase;
using namespace std::string_literals;

// Each migration records the transaction it ran in, so the tests can tell transactions apart.
const std::vector<Migration> kThree = {
    {1, "0001_create_notes.sql",
     "create table notes (body text not null);"
     "create table ran_in (version int primary key, txid bigint not null);"
     "insert into ran_in values (1, txid_current());"},
    {2, "0002_add_first_note.sql",
     "insert into notes values ('first');"
     "insert into ran_in values (2, txid_current());"},
    {3, "0003_create_tags.sql",
     "create table tags (name text primary key);"
     "insert into ran_in values (3, txid_current());"},
};

class Migrator : public ::testing::Test {
protected:
    void SetUp() override {
        try {
            database_ = std::make_unique<ScratchDatabase>(ScratchDatabase::Contents::kEmpty);
        } catch (const std::exception& e) {
            GTEST_FAIL() << e.what();
        }
        conn_ = database_->Connect();
    }

    void TearDown() override {
        conn_.reset();
        database_.reset();
    }

    std::string Query(const std::string& sql) {
        pqxx::nontransaction tx(*conn_);
        const auto row = tx.exec1(sql);
        return row[0].is_null() ? "<null>" : row[0].as<std::string>();
    }

    long long Count(const std::string& sql) { return std::stoll(Query(sql)); }

    /// Advisory locks in this test's database (pg_locks covers the whole cluster).
    long long AdvisoryLocks(const std::string& condition) {
        return Count(
            "select count(*) from pg_locks where locktype = 'advisory' and database = "
            "(select oid from pg_database where datname = current_database()) and " +
            condition);
    }

    bool TableExists(const std::string& name) {
        return Query("select to_regclass('public." + name + "') is not null") == "t";
    }

    std::unique_ptr<ScratchDatabase> database_;
    std::unique_ptr<pqxx::connection> conn_;
};

TEST_F(Migrator, AppliesEachFileInItsOwnTransactionAndRecordsItsChecksum) {
    const auto applied = Migrate(*conn_, kThree);

    EXPECT_EQ(applied, (std::vector<std::string>{"0001_create_notes.sql", "0002_add_first_note.sql",
                                                 "0003_create_tags.sql"}));
    EXPECT_EQ(Count("select count(distinct txid) from ran_in"), 3) << "one transaction per file";
    pqxx::nontransaction tx(*conn_);
    const auto rows = tx.exec(
        "select m.version, m.name, m.checksum, (r.txid % 4294967296) = m.xmin::text::bigint "
        "from schema_migrations m join ran_in r using (version) order by m.version");
    ASSERT_EQ(rows.size(), 3u);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const Migration& m = kThree[i];
        EXPECT_EQ(rows[i][0].as<int>(), m.version);
        EXPECT_EQ(rows[i][1].as<std::string>(), m.name);
        // Computed by PostgreSQL, independently of the migrator's own hashing.
        const auto expected =
            tx.exec_params1("select encode(sha256(convert_to($1, 'UTF8')), 'hex')",
                            std::string(m.sql))[0]
                .as<std::string>();
        EXPECT_EQ(rows[i][2].as<std::string>(), expected) << m.name;
        EXPECT_TRUE(rows[i][3].as<bool>()) << m.name << " was recorded in another transaction";
    }
}

TEST_F(Migrator, RunningAgainAppliesNothing) {
    Migrate(*conn_, kThree);

    EXPECT_TRUE(Migrate(*conn_, kThree).empty());
    EXPECT_EQ(Count("select count(*) from schema_migrations"), 3);
    EXPECT_EQ(Count("select count(*) from notes"), 1) << "0002 ran twice";
}

TEST_F(Migrator, RefusesToGoOnWhenAnAppliedFileWasEditedAndAppliesNothingMore) {
    Migrate(*conn_, std::span(kThree).first(2));
    std::vector<Migration> edited = kThree;
    edited[1].sql = "insert into notes values ('first, reworded');";

    try {
        Migrate(*conn_, edited);
        FAIL() << "an edited migration was accepted";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("0002_add_first_note.sql"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(TableExists("tags")) << "0003 was applied after the refusal";
    EXPECT_EQ(Count("select count(*) from schema_migrations"), 2);
    EXPECT_EQ(Count("select count(*) from notes"), 1);
}

TEST_F(Migrator, AFailingMigrationRollsBackOnlyItselfAndKeepsTheEarlierOnesRecorded) {
    std::vector<Migration> broken = kThree;
    broken[1].sql = "create table half_done (x int); select 1 / 0;";

    EXPECT_THROW(Migrate(*conn_, broken), pqxx::sql_error);

    EXPECT_TRUE(TableExists("notes"));
    EXPECT_FALSE(TableExists("half_done")) << "the failed file was not rolled back";
    EXPECT_FALSE(TableExists("tags")) << "the migrator went on past a failure";
    EXPECT_EQ(Query("select string_agg(name, ',') from schema_migrations"),
              "0001_create_notes.sql");
    EXPECT_EQ(AdvisoryLocks("true"), 0) << "the migration lock outlived the failure";

    // Once fixed, the next run picks up where the failed one stopped.
    EXPECT_EQ(Migrate(*conn_, kThree),
              (std::vector<std::string>{"0002_add_first_note.sql", "0003_create_tags.sql"}));
}

TEST_F(Migrator, TwoMigratorsAtOnceApplyEachMigrationExactlyOnce) {
    // The first file waits on a gate the test holds, so the second migrator is certain to arrive
    // while the first is mid-way; then the gate opens.
    std::vector<Migration> gated = kThree;
    const std::string first = "select pg_advisory_xact_lock(4242);"s + std::string(kThree[0].sql);
    gated[0].sql = first;
    auto gate = database_->Connect();
    pqxx::nontransaction(*gate).exec("select pg_advisory_lock(4242)");

    std::vector<std::string> applied[2];
    std::string failure[2];
    std::vector<std::thread> migrators;
    for (int i = 0; i < 2; ++i) {
        migrators.emplace_back([&, i] {
            try {
                auto conn = database_->Connect();
                applied[i] = Migrate(*conn, gated);
            } catch (const std::exception& e) {
                failure[i] = e.what();
            }
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (AdvisoryLocks("not granted") < 2) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the migrators never both waited";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pqxx::nontransaction(*gate).exec("select pg_advisory_unlock(4242)");
    for (auto& t : migrators) t.join();

    EXPECT_EQ(failure[0], "");
    EXPECT_EQ(failure[1], "");
    std::vector<std::string> all = applied[0];
    all.insert(all.end(), applied[1].begin(), applied[1].end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::string>{"0001_create_notes.sql", "0002_add_first_note.sql",
                                             "0003_create_tags.sql"}));
    EXPECT_EQ(Count("select count(*) from schema_migrations"), 3);
    EXPECT_EQ(Count("select count(*) from notes"), 1);
}

TEST_F(Migrator, InspectSchemaReportsPendingAndEditedFilesWithoutChangingAnything) {
    SchemaStatus fresh = InspectSchema(*conn_, kThree);
    EXPECT_EQ(fresh.applied, 0);
    EXPECT_EQ(fresh.pending, 3);
    EXPECT_FALSE(fresh.current());
    EXPECT_FALSE(TableExists("schema_migrations")) << "inspecting wrote to the database";

    Migrate(*conn_, std::span(kThree).first(2));
    SchemaStatus behind = InspectSchema(*conn_, kThree);
    EXPECT_EQ(behind.applied, 2);
    EXPECT_EQ(behind.pending, 1);
    EXPECT_TRUE(behind.edited.empty());
    EXPECT_FALSE(behind.current());

    std::vector<Migration> edited = kThree;
    edited[0].sql = "create table notes (body text);";
    SchemaStatus changed = InspectSchema(*conn_, edited);
    EXPECT_EQ(changed.edited, std::vector<std::string>{"0001_create_notes.sql"});
    EXPECT_FALSE(changed.current());

    Migrate(*conn_, kThree);
    SchemaStatus current = InspectSchema(*conn_, kThree);
    EXPECT_EQ(current.applied, 3);
    EXPECT_EQ(current.pending, 0);
    EXPECT_TRUE(current.current());
}

TEST_F(Migrator, TheEmbeddedMigrationsBuildASchemaWithPostgisAndTrigramSearch) {
    const auto embedded = EmbeddedMigrations();
    ASSERT_FALSE(embedded.empty());

    const auto applied = Migrate(*conn_, embedded);

    ASSERT_EQ(applied.size(), embedded.size());
    for (std::size_t i = 0; i < embedded.size(); ++i) EXPECT_EQ(applied[i], embedded[i].name);
    EXPECT_EQ(Query("select string_agg(extname, ',' order by extname) from pg_extension "
                    "where extname in ('postgis', 'pg_trgm')"),
              "pg_trgm,postgis");
    EXPECT_TRUE(TableExists("units"));
    EXPECT_TRUE(TableExists("sites"));
    EXPECT_TRUE(InspectSchema(*conn_, embedded).current());
}

}  // namespace
}  // namespace lantian::db
