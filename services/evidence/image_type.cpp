#include "evidence/image_type.hpp"

namespace lantian::evidence {

std::string_view SniffImageType(std::string_view b) {
    using namespace std::string_view_literals;
    if (b.size() >= 4 && b.substr(0, 3) == "\xFF\xD8\xFF"sv) return "image/jpeg";
    if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n"sv) return "image/png";
    if (b.size() >= 12 && b.substr(0, 4) == "RIFF"sv && b.substr(8, 4) == "WEBP"sv) {
        return "image/webp";
    }
    return {};
}

}  // namespace lantian::evidence
