#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace lantian::units {

/// A responsible unit: a subdistrict or park (territorial duty), a department (supervisory
/// duty) or an office (环委办, 督查局).
struct Unit {
    long long id = 0;
    std::string code;
    std::string name;
    std::string kind;  // subdistrict | park | department | office
    std::optional<long long> parent_id;
    bool has_boundary = false;
    int version = 1;
    TimePoint created_at;
    TimePoint updated_at;
};

struct NewUnit {
    std::string code;
    std::string name;
    std::string kind;
    std::optional<long long> parent_id;
};

/// Fields a PATCH may change; an absent optional leaves the field as it is.
struct UnitPatch {
    std::optional<std::string> code;
    std::optional<std::string> name;
    std::optional<std::string> kind;
    std::optional<std::optional<long long>> parent_id;  // set to null clears it
};

struct UnitQuery {
    std::optional<std::string> kind;
    long long after_id = 0;
    int limit = 50;
};

/// The Chinese label of a unit kind, or empty for an unknown kind.
std::string_view UnitKindLabel(std::string_view kind);

/// Subdistricts and parks hold territory: every site lies in exactly one of them.
inline bool IsTerritorial(std::string_view kind) {
    return kind == "subdistrict" || kind == "park";
}

}  // namespace lantian::units
