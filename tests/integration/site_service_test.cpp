#include "sites/site_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "db/transaction.hpp"
#include "http/problem.hpp"
#include "sites/gcj02.hpp"
#include "sites/site_repository.hpp"
#include "support/expect_error.hpp"
#include "support/scratch_database.hpp"

namespace lantian::sites {
namespace {

using itest::ErrorFrom;
using itest::FieldsOf;

// Inspectors sweep the whole district, so they see every site.
const Actor kInspector =
    WithVisibility({.user_id = 1, .username = "inspector", .role = Role::kInspector});

NewSite Restaurant(const std::string& name, GeoPoint location) {
    NewSite site;
    site.kind = "restaurant";
    site.name = name;
    site.address = "焦作市解放区民主南路12号";
    site.location = location;
    site.responsible_party = {"焦作市解放区" + name, "王建国", "13912345678"};
    site.attributes_json = R"({"seats": 40, "has_fume_purifier": true})";
    return site;
}

// Two territories of our own with a gap between them (lon 113.10 to 113.12).
constexpr itest::Box kWest = {113.00, 35.00, 113.10, 35.10};
constexpr itest::Box kEast = {113.12, 35.00, 113.22, 35.10};
constexpr GeoPoint kInWest = {35.05, 113.05};
constexpr GeoPoint kInEast = {35.05, 113.17};
constexpr GeoPoint kInTheGap = {35.05, 113.11};

class SiteServiceTest : public itest::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        service_ = std::make_unique<SiteService>(pool(), repository_);
        west_ = itest::InsertTerritory(pool(), "T-WEST", "西测试街道", kWest);
        east_ = itest::InsertTerritory(pool(), "T-EAST", "东测试园区", kEast, "park");
        department_ = std::stoll(QueryValue(
            "insert into units (code, name, kind) values ('T-DEPT', '城管局', 'department') "
            "returning id"));
    }

    SiteService& service() { return *service_; }
    long long SiteCount() { return std::stoll(QueryValue("select count(*) from sites")); }

    long long west_ = 0;
    long long east_ = 0;
    long long department_ = 0;

private:
    SiteRepository repository_;
    std::unique_ptr<SiteService> service_;
};

TEST_F(SiteServiceTest, ACreatedSiteReadsBackAsCreatedAtVersionOne) {
    const Site created = service().Create(Restaurant("东方红饭店", kInWest));

    const Site read = service().Get(created.id, kInspector);

    EXPECT_EQ(read.kind, "restaurant");
    EXPECT_EQ(read.name, "东方红饭店");
    EXPECT_EQ(read.address, "焦作市解放区民主南路12号");
    EXPECT_DOUBLE_EQ(read.location.lat, kInWest.lat);
    EXPECT_DOUBLE_EQ(read.location.lon, kInWest.lon);
    EXPECT_EQ(read.subdistrict_id, west_);
    EXPECT_EQ(read.responsible_party.name, "焦作市解放区东方红饭店");
    EXPECT_EQ(read.responsible_party.contact_name, "王建国");
    EXPECT_EQ(read.responsible_party.phone, "13912345678");
    EXPECT_EQ(nlohmann::json::parse(read.attributes_json),
              nlohmann::json::parse(R"({"seats": 40, "has_fume_purifier": true})"));
    EXPECT_EQ(read.status, "active");
    EXPECT_EQ(read.version, 1);
    EXPECT_EQ(read.created_at, created.created_at);
    EXPECT_EQ(read.distance_m, std::nullopt);
}

TEST_F(SiteServiceTest, GettingAnUnknownSiteIsNotFound) {
    const auto error = ErrorFrom([&] { service().Get(987654, kInspector); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kNotFound);
}

TEST_F(SiteServiceTest, ASiteOutsideEveryTerritoryIsRejectedNamingLocation) {
    const auto error = ErrorFrom([&] { service().Create(Restaurant("缝隙饭店", kInTheGap)); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"location"});
    EXPECT_EQ(SiteCount(), 0);
}

TEST_F(SiteServiceTest, AnExplicitSubdistrictMustBeASubdistrictOrPark) {
    for (const long long unit : {department_, 424242LL}) {
        NewSite site = Restaurant("部门饭店", kInWest);
        site.subdistrict_id = unit;
        const auto error = ErrorFrom([&] { service().Create(site); });
        ASSERT_TRUE(error) << "unit " << unit;
        EXPECT_EQ(error->code(), ErrorCode::kValidation);
        EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"subdistrict_id"});
    }
    EXPECT_EQ(SiteCount(), 0);

    NewSite site = Restaurant("园区饭店", kInWest);
    site.subdistrict_id = east_;
    EXPECT_EQ(service().Create(site).subdistrict_id, east_) << "the client's choice is kept";
}

TEST_F(SiteServiceTest, AGcj02PositionIsStoredAsWgs84AndPlacedByTheConvertedPoint) {
    // As a Chinese phone map reports it: in the gap, but its WGS-84 point lies in the west.
    NewSite site = Restaurant("火星饭店", {35.05, 113.1035});
    site.crs = Crs::kGcj02;

    const Site created = service().Create(site);

    const LatLon expected = Gcj02ToWgs84({35.05, 113.1035});
    EXPECT_NEAR(created.location.lat, expected.lat, 1e-9);
    EXPECT_NEAR(created.location.lon, expected.lon, 1e-9);
    const double west_shift = 113.1035 - created.location.lon;
    EXPECT_GT(west_shift, 0.004);
    EXPECT_LT(west_shift, 0.008);
    EXPECT_LT(std::abs(created.location.lat - 35.05), 0.002);
    EXPECT_EQ(created.subdistrict_id, west_);
    EXPECT_EQ(service().Get(created.id, kInspector).location.lon, created.location.lon);
}

TEST_F(SiteServiceTest, InvalidFieldsAreReportedTogetherAndNothingIsStored) {
    NewSite site = Restaurant(" ", {91, 113.05});
    site.kind = "factory";
    site.address = "";
    site.status = "demolished";

    const auto error = ErrorFrom([&] { service().Create(site); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(FieldsOf(*error),
              (std::vector<std::string>{"location.lat", "kind", "name", "address", "status"}));
    EXPECT_EQ(SiteCount(), 0);
}

TEST_F(SiteServiceTest, APatchAtTheCurrentVersionChangesTheGivenFieldsAndBumpsTheVersion) {
    const Site site = service().Create(Restaurant("老焦作烩面馆", kInWest));

    const Site patched =
        service().Patch(site.id, 1,
                        {.name = "老焦作烩面馆（总店）",
                         .responsible_party = ResponsibleParty{"新业主", "李秀英", "13800000000"},
                         .attributes_json = R"({"seats": 80})",
                         .status = "closed"});

    EXPECT_EQ(patched.version, 2);
    const Site read = service().Get(site.id, kInspector);
    EXPECT_EQ(read.version, 2);
    EXPECT_EQ(read.name, "老焦作烩面馆（总店）");
    EXPECT_EQ(read.status, "closed");
    EXPECT_EQ(read.responsible_party.contact_name, "李秀英");
    EXPECT_EQ(nlohmann::json::parse(read.attributes_json), nlohmann::json({{"seats", 80}}));
    EXPECT_EQ(read.address, site.address);
    EXPECT_EQ(read.kind, site.kind);
    EXPECT_EQ(read.subdistrict_id, west_);
    EXPECT_EQ(read.created_at, site.created_at);
    EXPECT_GE(read.updated_at, site.updated_at);
}

TEST_F(SiteServiceTest, APatchAtAStaleVersionIsAbortedAndAMissingSiteIsNotFound) {
    const Site site = service().Create(Restaurant("王记饺子馆", kInWest));
    service().Patch(site.id, 1, {.name = "王记饺子馆二店"});

    const auto stale = ErrorFrom([&] { service().Patch(site.id, 1, {.name = "覆盖"}); });
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->code(), ErrorCode::kAborted);
    EXPECT_EQ(http::StatusFor(stale->code()), 412);
    EXPECT_EQ(service().Get(site.id, kInspector).name, "王记饺子馆二店");

    const auto missing = ErrorFrom([&] { service().Patch(987654, 1, {.name = "无"}); });
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->code(), ErrorCode::kNotFound);
}

TEST_F(SiteServiceTest, AMovedSiteBelongsToTheTerritoryItNowLiesIn) {
    const Site site = service().Create(Restaurant("搬家饭店", kInWest));

    const Site moved = service().Patch(site.id, 1, {.location = kInEast});
    EXPECT_EQ(moved.subdistrict_id, east_);
    EXPECT_DOUBLE_EQ(moved.location.lon, kInEast.lon);

    const auto outside = ErrorFrom([&] { service().Patch(site.id, 2, {.location = kInTheGap}); });
    ASSERT_TRUE(outside);
    EXPECT_EQ(FieldsOf(*outside), std::vector<std::string>{"location"});

    const auto to_department =
        ErrorFrom([&] { service().Patch(site.id, 2, {.subdistrict_id = department_}); });
    ASSERT_TRUE(to_department);
    EXPECT_EQ(FieldsOf(*to_department), std::vector<std::string>{"subdistrict_id"});

    // GCJ-02 in a patch is converted too: this point is in the gap until converted.
    const Site back =
        service().Patch(site.id, 2, {.location = GeoPoint{35.05, 113.1035}, .crs = Crs::kGcj02});
    EXPECT_EQ(back.subdistrict_id, west_);
    EXPECT_NEAR(back.location.lon, Gcj02ToWgs84({35.05, 113.1035}).lon, 1e-9);
    const Site read = service().Get(site.id, kInspector);
    EXPECT_EQ(read.version, 3);
    EXPECT_EQ(read.subdistrict_id, west_);
}

TEST_F(SiteServiceTest, OfTwoPatchesAtTheSameVersionExactlyOneWins) {
    const Site site = service().Create(Restaurant("争抢饭店", kInWest));
    // Hold the row so both patches have read version 1 and wait at their UPDATE together.
    auto holder_conn = database().Connect();
    auto holder = std::make_unique<pqxx::work>(*holder_conn);
    holder->exec_params("select 1 from sites where id = $1 for update", site.id);

    std::atomic<int> won{0};
    std::atomic<int> aborted{0};
    std::vector<std::thread> clients;
    for (const std::string name : {"甲", "乙"}) {
        clients.emplace_back([&, name] {
            try {
                service().Patch(site.id, 1, {.name = name});
                ++won;
            } catch (const Error& e) {
                if (e.code() == ErrorCode::kAborted) ++aborted;
            }
        });
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::stoll(QueryValue("select count(*) from pg_stat_activity where datname = "
                                 "current_database() and wait_event_type = 'Lock'")) < 2) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the patches never both waited";
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    holder->commit();
    for (auto& t : clients) t.join();

    EXPECT_EQ(won.load(), 1);
    EXPECT_EQ(aborted.load(), 1);
    EXPECT_EQ(service().Get(site.id, kInspector).version, 2);
}

TEST_F(SiteServiceTest, ConcurrentReadModifyWriteWithIfMatchLosesNoUpdate) {
    constexpr int kThreads = 8;
    constexpr int kRounds = 50;
    NewSite counter = Restaurant("计数饭店", kInWest);
    counter.attributes_json = R"({"count": 0})";
    const long long id = service().Create(counter).id;

    std::atomic<int> successes{0};
    std::atomic<int> unexpected{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < kRounds; ++round) {
                try {
                    const Site current = service().Get(id, kInspector);  // GET, remember the ETag
                    auto attributes = nlohmann::json::parse(current.attributes_json);
                    attributes["count"] = attributes["count"].get<int>() + 1;
                    service().Patch(id, current.version, {.attributes_json = attributes.dump()});
                    ++successes;
                } catch (const Error& e) {
                    if (e.code() != ErrorCode::kAborted) ++unexpected;
                } catch (...) {
                    ++unexpected;
                }
            }
        });
    }
    for (auto& t : threads) t.join();

    const Site final_site = service().Get(id, kInspector);
    EXPECT_EQ(unexpected.load(), 0);
    EXPECT_GT(successes.load(), 0);
    EXPECT_EQ(successes.load(), final_site.version - 1);
    EXPECT_EQ(nlohmann::json::parse(final_site.attributes_json)["count"].get<int>(),
              successes.load());
}

class SeededSiteServiceTest : public itest::SeededDatabaseTest {};

TEST_F(SeededSiteServiceTest, ANewSiteIsPlacedInTheDemoSubdistrictThatCoversIt) {
    SiteRepository repository;
    SiteService service(pool(), repository);

    EXPECT_EQ(service.Create(Restaurant("焦西新店", {35.221, 113.199})).subdistrict_id,
              UnitId("JF-SD-JIAOXI"));
    EXPECT_EQ(service.Create(Restaurant("园区新店", {35.22, 113.178})).subdistrict_id,
              UnitId("JF-PK-CYJJQ"));
    EXPECT_EQ(service.Create(Restaurant("民主新店", {35.262, 113.261})).subdistrict_id,
              UnitId("JF-SD-MINZHU"));

    const auto beijing = ErrorFrom([&] { service.Create(Restaurant("北京饭店", {39.9, 116.4})); });
    ASSERT_TRUE(beijing);
    EXPECT_EQ(FieldsOf(*beijing), std::vector<std::string>{"location"});

    NewSite to_department = Restaurant("城管饭店", {35.221, 113.199});
    to_department.subdistrict_id = UnitId("JF-DEPT-CHENGGUAN");
    const auto department = ErrorFrom([&] { service.Create(to_department); });
    ASSERT_TRUE(department);
    EXPECT_EQ(FieldsOf(*department), std::vector<std::string>{"subdistrict_id"});
}

}  // namespace
}  // namespace lantian::sites
