#include "db/sql_arrays.hpp"

#include <charconv>

namespace lantian::db {

std::string ToArrayLiteral(const std::vector<std::string>& values) {
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += values[i];
    }
    return out + "}";
}

std::string ToArrayLiteral(const std::vector<long long>& values) {
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(values[i]);
    }
    return out + "}";
}

std::vector<std::string> SplitStrings(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        const size_t comma = joined.find(',');
        out.emplace_back(joined.substr(0, comma));
        if (comma == std::string_view::npos) break;
        joined.remove_prefix(comma + 1);
    }
    return out;
}

std::vector<long long> SplitIds(std::string_view joined) {
    std::vector<long long> out;
    for (const auto& s : SplitStrings(joined)) {
        long long v = 0;
        std::from_chars(s.data(), s.data() + s.size(), v);
        out.push_back(v);
    }
    return out;
}

}  // namespace lantian::db
