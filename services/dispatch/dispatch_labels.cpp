#include "dispatch/dispatch.hpp"

namespace lantian::dispatch {

std::string_view EscalationLevelLabel(int level) {
    switch (level) {
        case 1:
            return "督办";
        case 2:
            return "约谈";
        case 3:
            return "问责";
        default:
            return {};
    }
}

std::string_view AlertLevelLabel(std::string_view level) {
    if (level == "yellow") return "黄色预警";
    if (level == "orange") return "橙色预警";
    if (level == "red") return "红色预警";
    return {};
}

}  // namespace lantian::dispatch
