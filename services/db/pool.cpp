#include "db/pool.hpp"

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"

namespace lantian::db {

std::string WithConnectDefaults(const std::string& url) {
    std::string out = url;
    const bool is_uri = out.rfind("postgresql://", 0) == 0 || out.rfind("postgres://", 0) == 0;
    auto add = [&](const std::string& key, const std::string& value) {
        if (out.find(key) != std::string::npos) return;
        if (is_uri) {
            out += (out.find('?') == std::string::npos ? '?' : '&');
            out += key + "=" + value;
        } else {
            out += " " + key + "=" + value;
        }
    };
    add("connect_timeout", "2");
    add("application_name", "lantian");
    add("keepalives_idle", "10");
    // Short OLTP queries: a parallel plan costs more to start than it saves (measured on the
    // `near` list: 58-115 ms parallel, 14 ms serial).
    // ... and times the database renders itself (audit snapshots) in the district's zone.
    const std::string zone = DistrictZoneName();
    std::string zone_uri = zone;
    for (size_t p = zone_uri.find('/'); p != std::string::npos; p = zone_uri.find('/', p + 3)) {
        zone_uri.replace(p, 1, "%2F");
    }
    add("options", is_uri
                       ? ("-c%20max_parallel_workers_per_gather%3D0%20-c%20TimeZone%3D" + zone_uri)
                       : ("'-c max_parallel_workers_per_gather=0 -c TimeZone=" + zone + "'"));
    return out;
}

Pool::Pool(std::string url, std::size_t size, std::chrono::milliseconds acquire_timeout)
    : url_(WithConnectDefaults(url)), size_(size), acquire_timeout_(acquire_timeout) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
    if (pool_ && conn_) pool_->Release(std::move(conn_), broken_);
}

Pool::Lease Pool::Acquire() {
    std::unique_lock lock(mutex_);
    const bool got = available_.wait_for(lock, acquire_timeout_,
                                         [&] { return !idle_.empty() || open_ < size_; });
    if (!got) {
        throw Error(ErrorCode::kUnavailable, "busy", "every database connection is busy");
    }
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    try {
        auto conn = std::make_unique<pqxx::connection>(url_);
        return Lease(*this, std::move(conn));
    } catch (...) {
        lock.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
    std::lock_guard lock(mutex_);
    if (broken || !conn->is_open()) {
        --open_;
    } else {
        idle_.push_back(std::move(conn));
    }
    available_.notify_one();
}

}  // namespace lantian::db
