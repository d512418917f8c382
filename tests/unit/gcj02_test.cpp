#include "sites/gcj02.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace lantian::sites {
namespace {

// Every expected value below is copied from a public project's tests, fixtures or README, never
// computed with this code. The source is cited next to each vector; tolerances follow what the
// source publishes and how accurate it proved to be.

struct Vector {
    std::string name;
    LatLon wgs;
    LatLon gcj;
};

// Great-circle distance in metres (spherical, plenty for offsets of a few hundred metres).
double DistanceMetres(LatLon a, LatLon b) {
    constexpr double kEarthRadius = 6371008.8;
    constexpr double kRad = std::numbers::pi / 180.0;
    const double s_lat = std::sin((b.lat - a.lat) * kRad / 2.0);
    const double s_lon = std::sin((b.lon - a.lon) * kRad / 2.0);
    const double h =
        s_lat * s_lat + std::cos(a.lat * kRad) * std::cos(b.lat * kRad) * s_lon * s_lon;
    return 2.0 * kEarthRadius * std::asin(std::sqrt(h));
}

void ExpectNear(LatLon actual, LatLon expected, double tolerance, const std::string& what) {
    EXPECT_NEAR(actual.lat, expected.lat, tolerance) << what << " (lat)";
    EXPECT_NEAR(actual.lon, expected.lon, tolerance) << what << " (lon)";
}

// Full-precision doubles from googollee/eviltransform, identical in c/test.c, go/transform_test.go,
// javascript/test.js and python/test.py (its `tests`/`TESTS` table). That project checks them to 6
// decimals; they reproduce exactly here, so a much tighter bound guards the constants and formula.
const Vector kEviltransformVectors[] = {
    {"shanghai", {31.1774276, 121.5272106}, {31.17530398364597, 121.531541859215}},
    {"shenzhen", {22.543847, 113.912316}, {22.540796131694766, 113.9171764808363}},
    {"beijing", {39.911954, 116.377817}, {39.91334545536069, 116.38404722455657}},
};
constexpr double kFullPrecisionTolerance = 1e-9;

TEST(Gcj02, ConvertsEviltransformReferenceCitiesToPublishedGcjCoordinates) {
    for (const Vector& v : kEviltransformVectors) {
        ExpectNear(Wgs84ToGcj02(v.wgs), v.gcj, kFullPrecisionTolerance, v.name);
    }
}

TEST(Gcj02, RecoversEviltransformWgsCoordinatesFromTheirPublishedGcjCoordinates) {
    // eviltransform only asks its exact inverse for 0.5 m; the iteration here must do ~1 cm.
    for (const Vector& v : kEviltransformVectors) {
        ExpectNear(Gcj02ToWgs84(v.gcj), v.wgs, 1e-7, v.name);
    }
}

TEST(Gcj02, ConvertsTiananmenToPublishedGcjCoordinates) {
    // wandergis/coordtransform README.md (also test/app.js): wgs84togcj02(116.404, 39.915) ->
    // [116.41024449916938, 39.91640428150164]. dromara/hutool CoordinateUtilTest asserts the same
    // numbers with delta 0. Input is Baidu's stock Tiananmen point.
    ExpectNear(Wgs84ToGcj02({39.915, 116.404}), {39.91640428150164, 116.41024449916938},
               kFullPrecisionTolerance, "coordtransform README");

    // daleydeng/geosys geosys/cvt_geosys.py doctest "at tiananmen square": gcj02 (39.906961,
    // 116.397555) <-> wgs84 (39.905560, 116.391314), checked there to 1e-6 (6 published decimals).
    const LatLon flag_wgs{39.905560, 116.391314};
    const LatLon flag_gcj{39.906961, 116.397555};
    ExpectNear(Wgs84ToGcj02(flag_wgs), flag_gcj, 1e-6, "geosys flagpole forward");
    ExpectNear(Gcj02ToWgs84(flag_gcj), flag_wgs, 1e-6, "geosys flagpole inverse");
}

TEST(Gcj02, ConvertsZhengzhouToThePositionUtilTestPrintout) {
    // cuihw/collection app/src/test/java/com/data/collection/util/PositionUtilTest.java: WGS
    // (113.647881, 34.829793) printed as 34.8287280094783, 113.65396374215176 (its labels are
    // swapped; the first number is the latitude). Zhengzhou is ~60 km from Jiaozuo.
    const LatLon wgs{34.829793, 113.647881};
    const LatLon gcj{34.8287280094783, 113.65396374215176};
    ExpectNear(Wgs84ToGcj02(wgs), gcj, kFullPrecisionTolerance, "cuihw Zhengzhou");
    ExpectNear(Gcj02ToWgs84(gcj), wgs, 1e-7, "cuihw Zhengzhou inverse");
}

TEST(Gcj02, ConvertsGcoordSpecPointInTheNortheast) {
    // hujiulong/gcoord test/unit/crs/WGS84.spec.ts: WGS84 [123, 45] -> GCJ02 [123.00607541,
    // 45.00197815]; GCJ02.spec.ts: GCJ02 [123, 45] -> WGS84 [122.99395597, 44.99804071]. gcoord
    // checks 5 decimals; its own inverse stops at a 1e-6 residual, so that side gets 1e-6 here.
    ExpectNear(Wgs84ToGcj02({45.0, 123.0}), {45.00197815, 123.00607541}, 1e-7, "gcoord forward");
    ExpectNear(Gcj02ToWgs84({45.0, 123.0}), {44.99804071, 122.99395597}, 1e-6, "gcoord inverse");
}

TEST(Gcj02, MatchesGcoordCityFixturesIncludingJiaozuo) {
    // hujiulong/gcoord test/fixtures/china-cities.json ("coords": {"WGS84": [lon, lat], "GCJ02":
    // [lon, lat]}), 7 decimals. The fixture sits a uniform ~5e-6 deg (~0.5 m) off the algorithm
    // everywhere (gcoord's own tests compare it to 4 decimals), so 1e-5 is the honest bound.
    const Vector kCities[] = {
        {"焦作市 Jiaozuo", {35.2164016, 113.2354538}, {35.2158971, 113.2418262}},
        {"郑州市 Zhengzhou", {34.7478004, 113.6192856}, {34.7466173, 113.6253334}},
        {"洛阳市 Luoyang", {34.6206943, 112.447775}, {34.6196861, 112.4540462}},
        {"鹤壁市 Hebi", {35.7473048, 114.2913499}, {35.7472312, 114.2972776}},
        {"北京城区 Beijing", {39.9028057, 116.4011517}, {39.9042136, 116.4074002}},
        {"上海城区 Shanghai", {31.2323443, 121.4691633}, {31.2304194, 121.4737061}},
        {"深圳市 Shenzhen", {22.5458236, 114.0527534}, {22.5431014, 114.0578659}},
        {"成都市 Chengdu", {30.5747262, 104.0640437}, {30.5722732, 104.0665489}},
        {"乌鲁木齐市 Urumqi", {43.824388, 87.6140048}, {43.8255962, 87.6168579}},
        {"哈尔滨市 Harbin", {45.8017783, 126.528903}, {45.8037804, 126.5349726}},
        {"拉萨市 Lhasa", {29.655277, 91.1706414}, {29.6524954, 91.1721167}},
        {"三亚市 Sanya", {18.2545417, 109.507813}, {18.2528524, 109.5119135}},
        {"三沙市 Sansha", {16.8334801, 112.3337959}, {16.8318454, 112.3387036}},
        {"大兴安岭地区 Tahe", {52.3338635, 124.7038236}, {52.3352664, 124.7115324}},
        {"克孜勒苏 Artux", {39.7141079, 76.1647682}, {39.7145315, 76.1678223}},
    };
    for (const Vector& v : kCities) {
        ExpectNear(Wgs84ToGcj02(v.wgs), v.gcj, 1e-5, v.name);
        ExpectNear(Gcj02ToWgs84(v.gcj), v.wgs, 1e-5, v.name + " inverse");
    }
}

TEST(Gcj02, InvertsMoreAccuratelyThanCoordtransformsOneStepApproximation) {
    // wandergis/coordtransform README.md: gcj02towgs84(116.404, 39.915) -> [116.39775550083061,
    // 39.91359571849836], computed as 2*gcj - wgs84togcj02(gcj). Pushed forward again it misses the
    // input by ~5e-7 deg (~6 cm); the iterated inverse must land within 1e-9 and differ from it.
    const LatLon gcj{39.915, 116.404};
    const LatLon one_step{39.91359571849836, 116.39775550083061};
    const LatLon one_step_back = Wgs84ToGcj02(one_step);
    EXPECT_GT(
        std::max(std::abs(one_step_back.lat - gcj.lat), std::abs(one_step_back.lon - gcj.lon)),
        1e-7);

    const LatLon exact = Gcj02ToWgs84(gcj);
    ExpectNear(Wgs84ToGcj02(exact), gcj, 1e-9, "iterated inverse pushed forward");
    ExpectNear(exact, one_step, 1e-5, "iterated inverse vs one-step");  // same answer to ~1 m
}

TEST(Gcj02, RoundTripsToBetterThanOneCentimetreAcrossChina) {
    // Grid over the populated extent (18-53.5N, 73.5-135E) in both directions.
    double worst = 0.0;
    for (double lat = 18.0; lat <= 53.5; lat += 0.25) {
        for (double lon = 73.5; lon <= 135.0; lon += 0.25) {
            const LatLon p{lat, lon};
            const LatLon wgs_back = Gcj02ToWgs84(Wgs84ToGcj02(p));
            const LatLon gcj_back = Wgs84ToGcj02(Gcj02ToWgs84(p));
            worst = std::max({worst, std::abs(wgs_back.lat - lat), std::abs(wgs_back.lon - lon),
                              std::abs(gcj_back.lat - lat), std::abs(gcj_back.lon - lon)});
        }
    }
    EXPECT_LT(worst, 1e-7);
}

TEST(Gcj02, RoundTripsToBetterThanOneCentimetreAroundJiaozuo) {
    // Dense grid over Jiaozuo's districts and counties (~35.24N 113.22E).
    double worst = 0.0;
    for (double lat = 34.9; lat <= 35.5; lat += 0.005) {
        for (double lon = 112.6; lon <= 113.7; lon += 0.005) {
            const LatLon back = Gcj02ToWgs84(Wgs84ToGcj02({lat, lon}));
            worst = std::max({worst, std::abs(back.lat - lat), std::abs(back.lon - lon)});
        }
    }
    EXPECT_LT(worst, 1e-7);

    const LatLon jiaozuo{35.24, 113.22};
    const LatLon back = Gcj02ToWgs84(Wgs84ToGcj02(jiaozuo));
    EXPECT_LT(DistanceMetres(back, jiaozuo), 0.01);
}

TEST(Gcj02, ShiftsJiaozuoByAFewHundredMetres) {
    // Why this matters: a GCJ-02 fix treated as WGS-84 lands ~0.6 km east of the real site.
    for (double lat = 35.0; lat <= 35.5; lat += 0.05) {
        for (double lon = 112.9; lon <= 113.6; lon += 0.05) {
            const LatLon wgs{lat, lon};
            const LatLon gcj = Wgs84ToGcj02(wgs);
            const double metres = DistanceMetres(wgs, gcj);
            EXPECT_GT(metres, 400.0) << lat << "," << lon;
            EXPECT_LT(metres, 800.0) << lat << "," << lon;
            EXPECT_GT(gcj.lon, wgs.lon) << "the shift here is eastward";
        }
    }
}

TEST(Gcj02, LeavesPointsOutsideChinaUnchanged) {
    const LatLon kOutside[] = {
        {51.5074, -0.1278},    // London
        {-33.8688, 151.2093},  // Sydney
        {40.7128, -74.0060},   // New York
        {-22.9068, -43.1729},  // Rio de Janeiro
        {64.1466, -21.9426},   // Reykjavik
        {0.0, 0.0},
    };
    for (const LatLon& p : kOutside) {
        EXPECT_TRUE(OutsideChina(p)) << p.lat << "," << p.lon;
        const LatLon gcj = Wgs84ToGcj02(p);
        EXPECT_EQ(gcj.lat, p.lat);
        EXPECT_EQ(gcj.lon, p.lon);
        const LatLon wgs = Gcj02ToWgs84(p);
        EXPECT_EQ(wgs.lat, p.lat);
        EXPECT_EQ(wgs.lon, p.lon);
    }
}

TEST(Gcj02, TreatsMainlandCitiesAsInsideChina) {
    EXPECT_FALSE(OutsideChina({35.24, 113.22}));           // Jiaozuo
    EXPECT_FALSE(OutsideChina({39.915, 116.404}));         // Beijing
    EXPECT_FALSE(OutsideChina({43.824388, 87.6140048}));   // Urumqi
    EXPECT_FALSE(OutsideChina({18.2545417, 109.507813}));  // Sanya
}

}  // namespace
}  // namespace lantian::sites
