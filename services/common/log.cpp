#include "common/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace lantian::log {

namespace {

std::shared_ptr<spdlog::sinks::stdout_sink_mt> Sink() {
    static auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    return sink;
}

constexpr const char* kPattern = R"({"ts":"%Y-%m-%dT%H:%M:%S.%f%z","level":"%l","logger":"%n",%v})";

spdlog::level::level_enum g_level = spdlog::level::info;
std::mutex g_mutex;

}  // namespace

void Init(std::string_view level) {
    std::lock_guard lock(g_mutex);
    spdlog::flush_every(std::chrono::seconds(1));
    g_level = spdlog::level::from_str(std::string(level));
    spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) { l->set_level(g_level); });
}

std::shared_ptr<spdlog::logger> Get(const std::string& name) {
    std::lock_guard lock(g_mutex);
    if (auto existing = spdlog::get(name)) return existing;
    auto logger = std::make_shared<spdlog::logger>(name, Sink());
    logger->set_pattern(kPattern);
    logger->set_level(g_level);
    // Warnings and errors reach the log at once; info lines (one per request) are flushed
    // in batches, since flushing each under the sink's lock cost ~20 us per request.
    logger->flush_on(spdlog::level::warn);
    spdlog::register_logger(logger);
    return logger;
}

std::string JsonEscape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    for (const char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out;
}

Line::Line(std::string_view msg) {
    payload_ = "\"msg\":\"" + JsonEscape(msg) + '"';
}

Line& Line::Str(std::string_view key, std::string_view value) {
    payload_ += ",\"" + JsonEscape(key) + "\":\"" + JsonEscape(value) + '"';
    return *this;
}

Line& Line::Int(std::string_view key, std::int64_t value) {
    payload_ += ",\"" + JsonEscape(key) + "\":" + std::to_string(value);
    return *this;
}

Line& Line::Num(std::string_view key, double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", value);
    payload_ += ",\"" + JsonEscape(key) + "\":" + buf;
    return *this;
}

Line& Line::Bool(std::string_view key, bool value) {
    payload_ += ",\"" + JsonEscape(key) + "\":" + (value ? "true" : "false");
    return *this;
}

void Info(spdlog::logger& logger, const Line& line) {
    logger.info("{}", line.payload());
}
void Warn(spdlog::logger& logger, const Line& line) {
    logger.warn("{}", line.payload());
}
void Error(spdlog::logger& logger, const Line& line) {
    logger.error("{}", line.payload());
}

}  // namespace lantian::log
