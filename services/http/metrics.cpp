#include "http/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace lantian::http {

struct Metrics::Impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    prometheus::Family<prometheus::Counter>& requests =
        prometheus::BuildCounter()
            .Name("lantian_http_requests_total")
            .Help("HTTP requests by method, route template and status")
            .Register(*registry);
    prometheus::Family<prometheus::Histogram>& latency =
        prometheus::BuildHistogram()
            .Name("lantian_http_request_duration_seconds")
            .Help("HTTP request latency by method and route template")
            .Register(*registry);
    prometheus::Gauge& db_up = prometheus::BuildGauge()
                                   .Name("lantian_database_up")
                                   .Help("1 when the last database check succeeded")
                                   .Register(*registry)
                                   .Add({});
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}
Metrics::~Metrics() = default;

void Metrics::Observe(const std::string& method, const std::string& route, int status,
                      double seconds) {
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
    impl_->requests.Add({{"method", method}, {"route", route}, {"status", std::to_string(status)}})
        .Increment();
    impl_->latency.Add({{"method", method}, {"route", route}}, kBuckets).Observe(seconds);
}

void Metrics::SetDatabaseUp(bool up) {
    impl_->db_up.Set(up ? 1 : 0);
}

std::string Metrics::Render() const {
    return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

}  // namespace lantian::http
