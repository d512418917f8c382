#include <array>
#include <utility>
#include <vector>

#include "issues/issue.hpp"

namespace lantian::issues {

namespace {

using Label = std::pair<std::string_view, std::string_view>;

constexpr std::array<Label, 13> kCategories = {{
    {"fume_direct_emission", "油烟直排"},
    {"purifier_not_running", "净化设施未正常运行"},
    {"open_air_bbq", "露天烧烤"},
    {"dust_uncovered", "物料/裸土未苫盖"},
    {"no_dust_suppression", "未落实洒水降尘"},
    {"muddy_vehicles", "车辆带泥上路"},
    {"muck_truck_uncovered", "渣土车未密闭"},
    {"open_burning", "露天焚烧"},
    {"emission_exceeded", "超标排放"},
    {"fugitive_emission", "无组织排放"},
    {"shop_front_duty", "门前五包不落实"},
    {"garbage_accumulation", "垃圾堆积"},
    {"other", "其他"},
}};

constexpr std::array<Label, 6> kStatuses = {{
    {"reported", "已上报"},
    {"confirmed", "已确认"},
    {"rejected", "已驳回"},
    {"assigned", "已交办"},
    {"submitted", "待核查"},
    {"closed", "已销号"},
}};

constexpr std::array<Label, 5> kSources = {{
    {"patrol", "巡查发现"},
    {"hotline", "热线投诉"},
    {"superior", "上级交办"},
    {"monitoring", "监测预警"},
    {"media", "媒体曝光"},
}};

template <size_t N>
std::string_view Find(const std::array<Label, N>& labels, std::string_view code) {
    for (const auto& [c, label] : labels) {
        if (c == code) return label;
    }
    return {};
}

}  // namespace

std::vector<std::string_view> CategoryCodes() {
    std::vector<std::string_view> out;
    for (const auto& [code, label] : kCategories) out.push_back(code);
    return out;
}

std::string_view CategoryLabel(std::string_view category) {
    return Find(kCategories, category);
}
std::string_view StatusLabel(std::string_view status) {
    return Find(kStatuses, status);
}
std::string_view SourceLabel(std::string_view source) {
    return Find(kSources, source);
}

std::string_view SeverityLabel(int severity) {
    switch (severity) {
        case 1:
            return "一般";
        case 2:
            return "较重";
        case 3:
            return "严重";
        default:
            return {};
    }
}

}  // namespace lantian::issues
