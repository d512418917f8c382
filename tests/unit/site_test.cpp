#include "sites/site.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lantian::sites {
namespace {

TEST(SiteKindLabel, GivesEveryKindInTheApiItsChineseLabel) {
    // The ten kinds of API.md "Sites", labelled as in DOMAIN.md "Sites (点位)".
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"restaurant", "餐饮门店"},
        {"open_air_bbq", "露天烧烤"},
        {"construction_site", "建筑工地"},
        {"bare_soil", "黄土裸露"},
        {"industrial_enterprise", "工业企业"},
        {"shop_front", "门前五包"},
        {"residential_compound", "居民楼院"},
        {"back_alley", "背街小巷"},
        {"mall_supermarket", "商场超市"},
        {"farmers_market", "农贸市场"},
    };
    for (const auto& [kind, label] : kinds) EXPECT_EQ(SiteKindLabel(kind), label) << kind;
}

TEST(SiteKindLabel, IsEmptyForAnUnknownKind) {
    for (const std::string kind :
         {"", "factory", "Restaurant", "restaurant ", "餐饮门店", "open-air-bbq"}) {
        EXPECT_EQ(SiteKindLabel(kind), "") << kind;
    }
}

TEST(SiteStatusLabel, LabelsActiveAndClosedSites) {
    EXPECT_EQ(SiteStatusLabel("active"), "在用");
    EXPECT_EQ(SiteStatusLabel("closed"), "已关停");
}

TEST(SiteStatusLabel, IsEmptyForAnUnknownStatus) {
    EXPECT_EQ(SiteStatusLabel("deleted"), "");
    EXPECT_EQ(SiteStatusLabel(""), "");
}

}  // namespace
}  // namespace lantian::sites
