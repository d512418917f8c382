// SiteService::List: text search, filters, paging by id, and `near` with keyset paging.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sites/site_repository.hpp"
#include "sites/site_service.hpp"
#include "support/expect_error.hpp"
#include "support/scratch_database.hpp"

namespace lantian::sites {
namespace {

using itest::ErrorFrom;
using itest::FieldsOf;

// Inspectors sweep the whole district, so they see every site.
const Actor kInspector =
    WithVisibility({.user_id = 1, .username = "inspector", .role = Role::kInspector});

constexpr itest::Box kNorth = {113.00, 35.00, 113.20, 35.20};
constexpr itest::Box kSouth = {113.00, 34.70, 113.20, 34.90};
constexpr GeoPoint kCentre = {35.05, 113.10};
// One degree of latitude near 35°N on the WGS-84 spheroid, in metres.
constexpr double kMetresPerDegreeLat = 110'942;

class SiteListTest : public itest::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        service_ = std::make_unique<SiteService>(pool(), repository_);
        north_ = itest::InsertTerritory(pool(), "T-NORTH", "北测试街道", kNorth);
        south_ = itest::InsertTerritory(pool(), "T-SOUTH", "南测试街道", kSouth);
    }

    SiteService& service() { return *service_; }

    long long Add(const std::string& name, const std::string& address = "焦作市解放区人民路1号",
                  GeoPoint location = kCentre, const std::string& kind = "restaurant",
                  const std::string& status = "active") {
        NewSite site;
        site.kind = kind;
        site.name = name;
        site.address = address;
        site.location = location;
        site.status = status;
        return service().Create(site).id;
    }

    /// `dlat` degrees due north of the centre.
    static GeoPoint North(double dlat) { return {kCentre.lat + dlat, kCentre.lon}; }

    std::vector<long long> Ids(const SiteQuery& query) {
        std::vector<long long> ids;
        for (const Site& s : service().List(query, kInspector)) ids.push_back(s.id);
        return ids;
    }

    std::vector<long long> Matching(const std::string& text) {
        SiteQuery query;
        query.text = text;
        return Ids(query);
    }

    /// Every page of a `near` query, following the (distance, id) cursor of each last row.
    std::vector<Site> WalkNear(SiteQuery query) {
        std::vector<Site> all;
        for (int page = 0; page < 100; ++page) {
            const auto sites = service().List(query, kInspector);
            EXPECT_LE(static_cast<int>(sites.size()), query.limit);
            if (sites.empty()) return all;
            all.insert(all.end(), sites.begin(), sites.end());
            query.after_distance_m = sites.back().distance_m;
            query.after_id = sites.back().id;
        }
        ADD_FAILURE() << "paging never ended";
        return all;
    }

    long long north_ = 0;
    long long south_ = 0;

private:
    SiteRepository repository_;
    std::unique_ptr<SiteService> service_;
};

using IdList = std::vector<long long>;

TEST_F(SiteListTest, TextSearchFindsChineseWordsInTheNameOrTheAddress) {
    const long long dongfanghong = Add("东方红饭店", "焦作市解放区民主南路12号");
    const long long hongxing = Add("红星烧烤", "焦作市解放区东方路3号");
    const long long kfc = Add("KFC肯德基", "焦作市解放区建设南路1号");

    EXPECT_EQ(Matching("东方"), (IdList{dongfanghong, hongxing}));
    EXPECT_EQ(Matching("饭店"), IdList{dongfanghong});
    EXPECT_EQ(Matching("民主南路"), IdList{dongfanghong});
    EXPECT_EQ(Matching("红"), (IdList{dongfanghong, hongxing}));
    EXPECT_EQ(Matching("kfc"), IdList{kfc}) << "latin letters match regardless of case";
    EXPECT_EQ(Matching("西湖"), IdList{});
}

TEST_F(SiteListTest, PercentUnderscoreAndBackslashInTheSearchTextAreLiteral) {
    const long long percent = Add("全场50%折扣店");
    Add("全场50元店");
    const long long underscore = Add("A_B洗车");
    Add("AxB洗车");
    const long long backslash = Add("反斜杠\\店");

    EXPECT_EQ(Matching("50%"), IdList{percent});
    EXPECT_EQ(Matching("%"), IdList{percent});
    EXPECT_EQ(Matching("A_B"), IdList{underscore});
    EXPECT_EQ(Matching("_"), IdList{underscore});
    EXPECT_EQ(Matching("\\店"), IdList{backslash});
}

TEST_F(SiteListTest, KindStatusAndSubdistrictFiltersCombine) {
    const GeoPoint in_south = {34.80, 113.10};
    const long long open_north = Add("北店", "北路1号", kCentre, "restaurant");
    const long long closed_north = Add("北关店", "北路2号", kCentre, "restaurant", "closed");
    const long long bbq_north = Add("北烧烤", "北路3号", kCentre, "open_air_bbq");
    const long long open_south = Add("南店", "南路1号", in_south, "restaurant");
    const long long closed_bbq_south = Add("南烧烤", "南路2号", in_south, "open_air_bbq", "closed");

    EXPECT_EQ(Ids({.kind = "restaurant"}), (IdList{open_north, closed_north, open_south}));
    EXPECT_EQ(Ids({.status = "closed"}), (IdList{closed_north, closed_bbq_south}));
    EXPECT_EQ(Ids({.subdistrict_id = south_}), (IdList{open_south, closed_bbq_south}));
    EXPECT_EQ(Ids({.kind = "restaurant", .subdistrict_id = north_, .status = "active"}),
              IdList{open_north});
    EXPECT_EQ(Ids({.kind = "open_air_bbq", .text = "北"}), IdList{bbq_north});
    EXPECT_EQ(Ids({.kind = "farmers_market"}), IdList{});
}

TEST_F(SiteListTest, AHandlerOfASubdistrictSeesOnlyTheSitesOfItsOwnTerritory) {
    const long long north_site = Add("北店", "北路1号", kCentre);
    const long long south_site = Add("南店", "南路1号", {34.80, 113.10});
    const Actor north_handler = WithVisibility(
        {.user_id = 2, .role = Role::kHandler, .unit_id = north_, .unit_kind = "subdistrict"});
    const Actor department_handler = WithVisibility(
        {.user_id = 3, .role = Role::kHandler, .unit_id = 999, .unit_kind = "department"});

    auto visible = [&](const SiteQuery& query, const Actor& actor) {
        IdList ids;
        for (const Site& s : service().List(query, actor)) ids.push_back(s.id);
        return ids;
    };
    EXPECT_EQ(visible({}, north_handler), IdList{north_site});
    EXPECT_EQ(visible({.subdistrict_id = south_}, north_handler), IdList{});
    EXPECT_EQ(visible({.near = kCentre, .radius_m = kMaxNearRadiusM}, north_handler),
              IdList{north_site});
    EXPECT_EQ(visible({}, department_handler), (IdList{north_site, south_site}));
    EXPECT_EQ(visible({.near = kCentre, .radius_m = kMaxNearRadiusM}, department_handler),
              (IdList{north_site, south_site}));

    EXPECT_EQ(service().Get(north_site, north_handler).id, north_site);
    const auto hidden = ErrorFrom([&] { service().Get(south_site, north_handler); });
    ASSERT_TRUE(hidden);
    EXPECT_EQ(hidden->code(), ErrorCode::kNotFound) << "exactly like a missing site";
}

TEST_F(SiteListTest, PagingByIdVisitsEverySiteOnceInIdOrder) {
    IdList created;
    for (int i = 0; i < 7; ++i) created.push_back(Add("店" + std::to_string(i)));

    IdList walked;
    SiteQuery query{.limit = 3};
    for (int page = 0; page < 10; ++page) {
        const auto sites = service().List(query, kInspector);
        if (sites.empty()) break;
        EXPECT_LE(sites.size(), 3u);
        for (const Site& s : sites) {
            walked.push_back(s.id);
            EXPECT_EQ(s.distance_m, std::nullopt);
        }
        query.after_id = sites.back().id;
    }
    EXPECT_EQ(walked, created);
}

TEST_F(SiteListTest, NearListsOnlySitesWithinTheRadiusNearestFirst) {
    const long long at_943m = Add("远店", "北路9号", North(0.0085));
    const long long at_1054m = Add("太远店", "北路10号", North(0.0095));
    const long long at_centre = Add("中心烧烤", "中心路1号", kCentre, "open_air_bbq");
    const long long at_222m = Add("近店", "北路2号", North(0.002), "restaurant", "closed");
    Add("南方店", "南路1号", {34.80, 113.10});

    const auto sites = service().List({.near = kCentre, .radius_m = 1000}, kInspector);

    IdList ids;
    for (const Site& s : sites) ids.push_back(s.id);
    EXPECT_EQ(ids, (IdList{at_centre, at_222m, at_943m}))
        << "site " << at_1054m << " is 1054 m away";
    ASSERT_EQ(sites.size(), 3u);
    EXPECT_NEAR(*sites[0].distance_m, 0, 0.01);
    EXPECT_NEAR(*sites[1].distance_m, 0.002 * kMetresPerDegreeLat, 1);
    EXPECT_NEAR(*sites[2].distance_m, 0.0085 * kMetresPerDegreeLat, 3);

    EXPECT_EQ(Ids({.near = kCentre, .radius_m = 1100}).size(), 4u);
    EXPECT_EQ(Ids({.near = kCentre, .radius_m = 100}), IdList{at_centre});
    EXPECT_EQ(Ids({.kind = "restaurant", .near = kCentre}), (IdList{at_222m, at_943m}));
    EXPECT_EQ(Ids({.status = "closed", .near = kCentre}), IdList{at_222m});
    EXPECT_EQ(Ids({.subdistrict_id = south_, .near = kCentre}), IdList{});
    EXPECT_EQ(Ids({.text = "烧烤", .near = kCentre}), IdList{at_centre});
}

TEST_F(SiteListTest, NearPagingByDistanceThenIdVisitsEveryMatchOnceAcrossTies) {
    // Created out of distance order, with three sites at one spot and two at another, so that
    // pages end inside groups of equal distance.
    const long long a1 = Add("甲1", "北路2号", North(0.002));
    const long long far = Add("远", "北路9号", North(0.0085));
    const long long b1 = Add("乙1", "北路4号", North(0.004));
    const long long centre = Add("中", "中心路1号", kCentre);
    const long long a2 = Add("甲2", "北路2号", North(0.002));
    const long long b2 = Add("乙2", "北路4号", North(0.004));
    const long long a3 = Add("甲3", "北路2号", North(0.002));
    Add("出圈", "北路10号", North(0.0095));
    const IdList expected = {centre, a1, a2, a3, b1, b2, far};

    for (const int limit : {1, 2, 3, 4, 50}) {
        const auto walked = WalkNear({.near = kCentre, .radius_m = 1000, .limit = limit});
        IdList ids;
        for (const Site& s : walked) ids.push_back(s.id);
        EXPECT_EQ(ids, expected) << "pages of " << limit;
        for (std::size_t i = 1; i < walked.size(); ++i) {
            EXPECT_LE(*walked[i - 1].distance_m, *walked[i].distance_m) << "pages of " << limit;
        }
    }
}

TEST_F(SiteListTest, NearRejectsAnInvalidPositionOrRadius) {
    const auto bad_position = ErrorFrom([&] {
        service().List({.near = GeoPoint{95, 113.1}}, kInspector);
    });
    ASSERT_TRUE(bad_position);
    EXPECT_EQ(bad_position->code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(FieldsOf(*bad_position), std::vector<std::string>{"near"});

    for (const double radius : {0.0, -5.0, kMaxNearRadiusM + 1}) {
        const auto bad_radius =
            ErrorFrom([&] { service().List({.near = kCentre, .radius_m = radius}, kInspector); });
        ASSERT_TRUE(bad_radius) << "radius " << radius;
        EXPECT_EQ(FieldsOf(*bad_radius), std::vector<std::string>{"radius_m"});
    }
    EXPECT_NO_THROW(service().List({.near = kCentre, .radius_m = kMaxNearRadiusM}, kInspector));
}

}  // namespace
}  // namespace lantian::sites
