#include "common/visibility.hpp"

namespace lantian {

namespace {

constexpr long long kNoUnit = -1;  // matches no row: ids are positive

bool Territorial(std::string_view unit_kind) {
    return unit_kind == "subdistrict" || unit_kind == "park";
}

}  // namespace

Visibility VisibilityFor(Role role, long long user_id, std::optional<long long> unit_id,
                         std::string_view unit_kind) {
    Visibility v;
    v.user_id = user_id;
    if (unit_id && Territorial(unit_kind)) v.territory_id = unit_id;
    switch (role) {
        case Role::kOffice:
        case Role::kSupervisor:
        case Role::kLeader:
        case Role::kAdmin:
            v.reach = Visibility::Reach::kAll;
            break;
        case Role::kHandler:
            v.reach = Visibility::Reach::kUnit;
            v.unit_id = unit_id.value_or(kNoUnit);
            break;
        case Role::kInspector:
            v.reach = Visibility::Reach::kOwnReports;
            break;
    }
    return v;
}

std::optional<long long> Visibility::SiteTerritory() const {
    switch (reach) {
        case Reach::kAll:
        case Reach::kOwnReports:
            return std::nullopt;
        case Reach::kUnit:
            return territory_id;
        case Reach::kNothing:
            return kNoUnit;
    }
    return kNoUnit;
}

std::optional<long long> Visibility::OwnUnit() const {
    switch (reach) {
        case Reach::kAll:
            return std::nullopt;
        case Reach::kUnit:
            return unit_id.value_or(kNoUnit);
        case Reach::kOwnReports:
        case Reach::kNothing:
            return kNoUnit;
    }
    return kNoUnit;
}

std::optional<long long> Visibility::IssueReporter() const {
    if (reach == Reach::kOwnReports) return user_id;
    return std::nullopt;
}

std::optional<long long> Visibility::IssueReporterTerritory() const {
    if (reach == Reach::kOwnReports) return territory_id;
    return std::nullopt;
}

std::optional<long long> Visibility::IssueUnit() const {
    switch (reach) {
        case Reach::kAll:
        case Reach::kOwnReports:
            return std::nullopt;
        case Reach::kUnit:
            return unit_id.value_or(kNoUnit);
        case Reach::kNothing:
            return kNoUnit;
    }
    return kNoUnit;
}

}  // namespace lantian
