#pragma once

#include <memory>
#include <string>

namespace lantian::http {

/// Request counts and latency histograms labelled by route template (never the raw path,
/// which would give every site id its own time series).
class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    void Observe(const std::string& method, const std::string& route, int status, double seconds);
    void SetDatabaseUp(bool up);
    /// The Prometheus text exposition format.
    std::string Render() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lantian::http
