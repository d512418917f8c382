#include "units/unit.hpp"

namespace lantian::units {

std::string_view UnitKindLabel(std::string_view kind) {
    if (kind == "subdistrict") return "街道";
    if (kind == "park") return "园区";
    if (kind == "department") return "部门";
    if (kind == "office") return "办公室";
    return {};
}

}  // namespace lantian::units
