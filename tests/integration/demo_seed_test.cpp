#include "seed/demo_seed.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "db/transaction.hpp"
#include "sites/site_repository.hpp"
#include "support/scratch_database.hpp"

namespace lantian::seed {
namespace {

class DemoSeedTest : public itest::DatabaseTest {};

TEST_F(DemoSeedTest, SeedingTwiceLoadsTheSameDistrictOnce) {
    auto conn = database().Connect();

    const SeedCounts first = SeedDemoDistrict(*conn);
    const std::string ids_after_first = QueryValue(
        "select (select string_agg(id::text, ',' order by id) from units) || '/' || "
        "(select max(id) from sites)");
    const SeedCounts second = SeedDemoDistrict(*conn);

    EXPECT_EQ(first.units, 18);
    EXPECT_EQ(first.sites, 400);
    EXPECT_EQ(second.units, 18);
    EXPECT_EQ(second.sites, 400);
    EXPECT_EQ(QueryValue("select count(*) from sites"), "400");
    EXPECT_EQ(QueryValue("select (select string_agg(id::text, ',' order by id) from units) || "
                         "'/' || (select max(id) from sites)"),
              ids_after_first)
        << "the second run inserted rows";
}

TEST_F(DemoSeedTest, TheDistrictHasTenTerritoriesAndTheDocumentedMixOfSites) {
    auto conn = database().Connect();
    SeedDemoDistrict(*conn);

    EXPECT_EQ(QueryValue("select string_agg(kind || '=' || n, ',' order by kind) from "
                         "(select kind, count(*) n from units group by kind) k"),
              "department=6,office=2,park=1,subdistrict=9");
    EXPECT_EQ(QueryValue("select count(*) from units where boundary is not null"), "10");
    EXPECT_EQ(QueryValue("select string_agg(kind || '=' || n, ',' order by kind) from "
                         "(select kind, count(*) n from sites group by kind) k"),
              "back_alley=30,bare_soil=30,construction_site=40,farmers_market=20,"
              "industrial_enterprise=40,mall_supermarket=20,open_air_bbq=30,"
              "residential_compound=40,restaurant=90,shop_front=60");
}

TEST_F(DemoSeedTest, EverySiteLiesInsideTheOneTerritoryItBelongsTo) {
    auto conn = database().Connect();
    SeedDemoDistrict(*conn);

    // Covered by its own unit's boundary and by no other (the tiles do not overlap).
    EXPECT_EQ(QueryValue("select count(*) from sites s where "
                         "(select array_agg(u.id) from units u "
                         " where st_covers(u.boundary, s.location::geometry)) "
                         "is distinct from array[s.subdistrict_id]"),
              "0");

    // And the service's own lookup places each one where the seed did.
    const sites::SiteRepository repository;
    const auto misplaced = db::InTransaction(pool(), [&](pqxx::transaction_base& tx) {
        std::vector<std::string> out;
        for (const auto& site : repository.List(tx, {.limit = 1000})) {
            const auto located = repository.LocateSubdistrict(tx, site.location);
            if (located != site.subdistrict_id || !repository.IsTerritorialUnit(tx, *located)) {
                out.push_back(std::to_string(site.id) + " " + site.name);
            }
        }
        return out;
    });
    EXPECT_TRUE(misplaced.empty())
        << misplaced.size() << " misplaced, first: " << (misplaced.empty() ? "" : misplaced[0]);
}

TEST_F(DemoSeedTest, TwoSeedersAtOnceLoadTheDistrictOnce) {
    SeedCounts counts[2];
    std::string failure[2];
    std::vector<std::thread> seeders;
    for (int i = 0; i < 2; ++i) {
        seeders.emplace_back([&, i] {
            try {
                auto conn = database().Connect();
                counts[i] = SeedDemoDistrict(*conn);
            } catch (const std::exception& e) {
                failure[i] = e.what();
            }
        });
    }
    for (auto& t : seeders) t.join();

    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(failure[i], "");
        EXPECT_EQ(counts[i].units, 18);
        EXPECT_EQ(counts[i].sites, 400);
    }
}

}  // namespace
}  // namespace lantian::seed
