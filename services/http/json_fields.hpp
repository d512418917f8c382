#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"

namespace lantian::http {

/// Typed reads of JSON object members that record a field error (named by its JSON path)
/// instead of throwing, so one response lists every field at fault. Absent or null →
/// nullopt; present with the wrong type → nullopt plus an error.
class JsonFields {
public:
    JsonFields(const nlohmann::json& object, FieldErrors& errors, std::string prefix = "")
        : object_(object), errors_(errors), prefix_(std::move(prefix)) {}

    bool Has(const std::string& key) const;
    bool IsNull(const std::string& key) const;
    std::optional<std::string> String(const std::string& key, bool required = false);
    std::optional<long long> Id(const std::string& key, bool required = false);
    /// An integer from `lo` to `hi`, checked on the full value as sent (4294967299 is not 3);
    /// anything else records `message`.
    std::optional<int> IntInRange(const std::string& key, bool required, int lo, int hi,
                                  const std::string& message);
    std::optional<double> Number(const std::string& key, bool required = false);
    std::optional<bool> Bool(const std::string& key, bool required = false);
    /// A nested object, or nullptr (absent, null, or not an object: the latter recorded).
    const nlohmann::json* Object(const std::string& key, bool required = false);
    std::string Path(const std::string& key) const { return prefix_ + key; }
    FieldErrors& errors() { return errors_; }

private:
    const nlohmann::json* Get(const std::string& key, bool required);

    const nlohmann::json& object_;
    FieldErrors& errors_;
    std::string prefix_;
};

}  // namespace lantian::http
