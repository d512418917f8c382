#include "http/json_fields.hpp"

#include <nlohmann/json.hpp>

namespace lantian::http {

bool JsonFields::Has(const std::string& key) const {
    return object_.contains(key);
}

bool JsonFields::IsNull(const std::string& key) const {
    auto it = object_.find(key);
    return it != object_.end() && it->is_null();
}

const nlohmann::json* JsonFields::Get(const std::string& key, bool required) {
    auto it = object_.find(key);
    if (it == object_.end() || it->is_null()) {
        if (required) errors_.Add(Path(key), "is required");
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> JsonFields::String(const std::string& key, bool required) {
    const auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_string()) {
        errors_.Add(Path(key), "must be a string");
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<long long> JsonFields::Id(const std::string& key, bool required) {
    const auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_number_integer() || v->get<long long>() <= 0) {
        errors_.Add(Path(key), "must be a positive integer id");
        return std::nullopt;
    }
    return v->get<long long>();
}

std::optional<int> JsonFields::IntInRange(const std::string& key, bool required, int lo, int hi,
                                          const std::string& message) {
    const auto* v = Get(key, required);
    if (!v) return std::nullopt;
    bool in_range = false;
    long long n = 0;
    if (v->is_number_unsigned()) {
        const auto u = v->get<unsigned long long>();
        in_range =
            hi >= 0 && u <= static_cast<unsigned long long>(hi) && static_cast<long long>(u) >= lo;
        n = static_cast<long long>(u);
    } else if (v->is_number_integer()) {
        n = v->get<long long>();
        in_range = n >= lo && n <= hi;
    }
    if (!in_range) {
        errors_.Add(Path(key), message);
        return std::nullopt;
    }
    return static_cast<int>(n);
}

std::optional<double> JsonFields::Number(const std::string& key, bool required) {
    const auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
        errors_.Add(Path(key), "must be a number");
        return std::nullopt;
    }
    return v->get<double>();
}

std::optional<bool> JsonFields::Bool(const std::string& key, bool required) {
    const auto* v = Get(key, required);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        errors_.Add(Path(key), "must be true or false");
        return std::nullopt;
    }
    return v->get<bool>();
}

const nlohmann::json* JsonFields::Object(const std::string& key, bool required) {
    const auto* v = Get(key, required);
    if (!v) return nullptr;
    if (!v->is_object()) {
        errors_.Add(Path(key), "must be an object");
        return nullptr;
    }
    return v;
}

}  // namespace lantian::http
