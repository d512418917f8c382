#include "support/scratch_database.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <random>
#include <stdexcept>

#include "db/transaction.hpp"
#include "seed/demo_seed.hpp"

namespace lantian::itest {

namespace {

constexpr const char* kAdminUrlVar = "LANTIAN_TEST_ADMIN_URL";
constexpr const char* kTemplateVar = "LANTIAN_TEST_TEMPLATE_DB";
constexpr const char* kHowToRun =
    "; the integration tests need a real PostgreSQL 15 with PostGIS: set LANTIAN_TEST_ADMIN_URL "
    "to the libpq URI of the cluster's postgres database (postgresql://postgres@127.0.0.1:PORT/"
    "postgres) and LANTIAN_TEST_TEMPLATE_DB to a database migrated by `lantian migrate` "
    "(lantian_template); tests/run.sh does both";

std::string RequireEnv(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(std::string(name) + " is not set" + kHowToRun);
    }
    return value;
}

std::string RandomDatabaseName() {
    thread_local std::mt19937_64 rng{
        std::random_device{}() ^
        static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "t_%016llx", static_cast<unsigned long long>(rng()));
    return buffer;
}

}  // namespace

std::string UrlForDatabase(const std::string& url, const std::string& dbname) {
    std::size_t scheme_end = std::string::npos;
    for (const char* scheme : {"postgresql://", "postgres://"}) {
        if (url.rfind(scheme, 0) == 0) scheme_end = std::char_traits<char>::length(scheme);
    }
    if (scheme_end == std::string::npos) {
        throw std::runtime_error(std::string(kAdminUrlVar) + " must be a libpq URI, not \"" + url +
                                 "\"" + kHowToRun);
    }
    const std::size_t path = url.find_first_of("/?", scheme_end);
    const std::size_t query = url.find('?', scheme_end);
    const std::string authority = url.substr(0, path);
    const std::string options = query == std::string::npos ? "" : url.substr(query);
    return authority + "/" + dbname + options;
}

ScratchDatabase::ScratchDatabase(Contents contents)
    : admin_url_(RequireEnv(kAdminUrlVar)), name_(RandomDatabaseName()) {
    const std::string source =
        contents == Contents::kMigrated ? RequireEnv(kTemplateVar) : std::string("template0");
    url_ = UrlForDatabase(admin_url_, name_);
    try {
        pqxx::connection conn(db::WithConnectDefaults(admin_url_));
        pqxx::nontransaction tx(conn);  // CREATE DATABASE cannot run inside a transaction
        tx.exec("create database " + tx.quote_name(name_) + " template " + tx.quote_name(source));
    } catch (const std::exception& e) {
        throw std::runtime_error("could not create test database " + name_ + " from \"" + source +
                                 "\": " + e.what() + kHowToRun);
    }
}

ScratchDatabase::~ScratchDatabase() {
    try {
        pqxx::connection conn(db::WithConnectDefaults(admin_url_));
        pqxx::nontransaction tx(conn);
        tx.exec("drop database if exists " + tx.quote_name(name_) + " with (force)");
    } catch (const std::exception& e) {
        ADD_FAILURE() << "could not drop test database " << name_ << ": " << e.what();
    }
}

std::unique_ptr<pqxx::connection> ScratchDatabase::Connect() const {
    return std::make_unique<pqxx::connection>(db::WithConnectDefaults(url_));
}

void DatabaseTest::SetUp() {
    try {
        database_ = std::make_unique<ScratchDatabase>(ScratchDatabase::Contents::kMigrated);
    } catch (const std::exception& e) {
        GTEST_FAIL() << e.what();
    }
    pool_ = std::make_unique<db::Pool>(database_->url(), kPoolSize, std::chrono::seconds(30));
}

void DatabaseTest::TearDown() {
    pool_.reset();  // close our connections before the database is dropped
    database_.reset();
}

std::string DatabaseTest::QueryValue(const std::string& sql) {
    return db::InTransaction(
        pool(), [&](pqxx::transaction_base& tx) { return tx.exec1(sql)[0].as<std::string>(); });
}

void DatabaseTest::Execute(const std::string& sql) {
    db::InTransaction(pool(), [&](pqxx::transaction_base& tx) { tx.exec(sql); });
}

void SeededDatabaseTest::SetUp() {
    DatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    auto conn = database().Connect();
    const auto counts = seed::SeedDemoDistrict(*conn);
    ASSERT_EQ(counts.units, 18) << "the demo district did not load";
    ASSERT_EQ(counts.sites, 400) << "the demo district did not load";
}

long long SeededDatabaseTest::UnitId(const std::string& code) {
    return db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        return tx.exec_params1("select id from units where code = $1", code)[0].as<long long>();
    });
}

long long InsertTerritory(db::Pool& pool, const std::string& code, const std::string& name,
                          const Box& box, const std::string& kind) {
    return db::InTransaction(pool, [&](pqxx::transaction_base& tx) {
        return tx
            .exec_params1(
                "insert into units (code, name, kind, boundary) "
                "values ($1, $2, $3, st_multi(st_makeenvelope($4, $5, $6, $7, 4326))) "
                "returning id",
                code, name, kind, box.west, box.south, box.east, box.north)[0]
            .as<long long>();
    });
}

}  // namespace lantian::itest
