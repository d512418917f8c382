#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/error.hpp"
#include "issues/deadline.hpp"
#include "issues/issue.hpp"

namespace lantian::issues {

nlohmann::json IssueToJson(const Issue& issue, TimePoint now);
nlohmann::json InspectionToJson(const Inspection& inspection, TimePoint now);
nlohmann::json EventToJson(const IssueEvent& event);
nlohmann::json DeadlineRulesToJson(const std::vector<DeadlineRule>& rules);

/// Readers of request bodies; type errors go to `errors`, unknown fields are refused (400).
NewIssue NewIssueFromJson(const nlohmann::json& body, TimePoint now, FieldErrors& errors);
NewInspection NewInspectionFromJson(const nlohmann::json& body, FieldErrors& errors);
std::vector<DeadlineRule> DeadlineRulesFromJson(const nlohmann::json& body, FieldErrors& errors);

/// An RFC 3339 time with its offset; records an error (zone-less, malformed) otherwise.
std::optional<TimePoint> ReadTime(const nlohmann::json& object, const std::string& key,
                                  const std::string& path, FieldErrors& errors);
std::vector<std::string> ReadPhotoIds(const nlohmann::json& object, const std::string& key,
                                      const std::string& path, FieldErrors& errors);

}  // namespace lantian::issues
