#include "sites/site.hpp"

#include <array>
#include <utility>
#include <vector>

namespace lantian::sites {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kKinds = {{
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
}};

}  // namespace

std::vector<std::string_view> SiteKindCodes() {
    std::vector<std::string_view> out;
    for (const auto& [code, label] : kKinds) out.push_back(code);
    return out;
}

std::string_view SiteKindLabel(std::string_view kind) {
    for (const auto& [code, label] : kKinds) {
        if (code == kind) return label;
    }
    return {};
}

std::string_view SiteStatusLabel(std::string_view status) {
    if (status == "active") return "在用";
    if (status == "closed") return "已关停";
    return {};
}

}  // namespace lantian::sites
