#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lantian::log {

/// Sends every logger to stdout as JSON lines: {"ts","level","logger","msg",...fields}.
void Init(std::string_view level);

/// One named logger per area ("http", "db", "migrate", ...).
std::shared_ptr<spdlog::logger> Get(const std::string& name);

std::string JsonEscape(std::string_view text);

/// The fields of one log line, built without a JSON library (common/ stays dependency-light).
class Line {
public:
    explicit Line(std::string_view msg);
    Line& Str(std::string_view key, std::string_view value);
    Line& Int(std::string_view key, std::int64_t value);
    Line& Num(std::string_view key, double value);
    Line& Bool(std::string_view key, bool value);
    const std::string& payload() const { return payload_; }

private:
    std::string payload_;
};

void Info(spdlog::logger& logger, const Line& line);
void Warn(spdlog::logger& logger, const Line& line);
void Error(spdlog::logger& logger, const Line& line);

}  // namespace lantian::log
