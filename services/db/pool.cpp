#include "db/pool.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pqxx/nontransaction>
#include <pqxx/pqxx>

#include "common/error.hpp"
#include "common/time.hpp"

namespace lantian::db {

namespace {

bool HasKey(const std::string& url, const std::string& key) {
    for (std::size_t p = url.find(key); p != std::string::npos; p = url.find(key, p + 1)) {
        const bool starts = p == 0 || url[p - 1] == '?' || url[p - 1] == '&' || url[p - 1] == ' ';
        std::size_t after = p + key.size();
        while (after < url.size() && url[after] == ' ') ++after;
        if (starts && after < url.size() && url[after] == '=') return true;
    }
    return false;
}

}  // namespace

std::string WithConnectDefaults(const std::string& url, const ConnectionSettings& settings) {
    std::string out = url;
    const bool is_uri = out.rfind("postgresql://", 0) == 0 || out.rfind("postgres://", 0) == 0;
    auto add = [&](const std::string& key, const std::string& value) {
        if (HasKey(out, key)) return;
        if (is_uri) {
            out += (out.find('?') == std::string::npos ? '?' : '&');
            out += key + "=" + value;
        } else {
            out += " " + key + "=" + value;
        }
    };
    auto add_positive = [&](const std::string& key, int value) {
        if (value > 0) add(key, std::to_string(value));
    };
    add("connect_timeout", "2");
    add("application_name", "lantian");
    // A peer that vanished (a partition, a powered-off host) is noticed by the kernel.
    add("keepalives", "1");
    add_positive("keepalives_idle", settings.keepalives_idle_s);
    add_positive("keepalives_interval", settings.keepalives_interval_s);
    add_positive("keepalives_count", settings.keepalives_count);
    add_positive("tcp_user_timeout", settings.tcp_user_timeout_ms);
    // Short OLTP queries: a parallel plan costs more to start than it saves (measured on the
    // `near` list: 58-115 ms parallel, 14 ms serial).
    // ... and times the database renders itself (audit snapshots) in the district's zone.
    // ... and no statement (nor a lock wait) runs longer than the pool allows.
    const std::string zone = DistrictZoneName();
    std::string zone_uri = zone;
    for (size_t p = zone_uri.find('/'); p != std::string::npos; p = zone_uri.find('/', p + 3)) {
        zone_uri.replace(p, 1, "%2F");
    }
    std::string timeout_uri, timeout_kv;
    if (settings.statement_timeout_ms > 0) {
        const std::string ms = std::to_string(settings.statement_timeout_ms);
        timeout_uri = "%20-c%20statement_timeout%3D" + ms;
        timeout_kv = " -c statement_timeout=" + ms;
    }
    add("options",
        is_uri ? ("-c%20max_parallel_workers_per_gather%3D0%20-c%20TimeZone%3D" + zone_uri +
                  timeout_uri)
               : ("'-c max_parallel_workers_per_gather=0 -c TimeZone=" + zone + timeout_kv + "'"));
    return out;
}

Pool::Pool(std::string url, std::size_t size, std::chrono::milliseconds acquire_timeout,
           const ConnectionSettings& settings)
    : url_(WithConnectDefaults(url, settings)), size_(size), acquire_timeout_(acquire_timeout) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
    if (pool_ && conn_) pool_->Release(std::move(conn_), broken_);
}

bool Pool::Stale(const pqxx::connection& conn) {
    const int fd = conn.sock();
    if (fd < 0) return true;
    // Nothing may arrive on a connection no one is using: readable means the server closed it
    // (EOF) or said goodbye first (57P01 during a shutdown or restart).
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;
}

Pool::Lease Pool::Lend(std::unique_ptr<pqxx::connection> conn) {
    leased_[conn.get()] = ::dup(conn->sock());
    return Lease(*this, std::move(conn));
}

Pool::Lease Pool::Acquire() {
    std::unique_lock lock(mutex_);
    if (!reachable_) throw pqxx::broken_connection("the database is unreachable");
    const bool got = available_.wait_for(
        lock, acquire_timeout_, [&] { return !reachable_ || !idle_.empty() || open_ < size_; });
    if (!reachable_) throw pqxx::broken_connection("the database is unreachable");
    if (!got) {
        throw Error(ErrorCode::kUnavailable, "busy", "every database connection is busy");
    }
    while (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        if (Stale(*conn)) {
            --open_;  // closed below, outside the lock
            lock.unlock();
            conn.reset();
            lock.lock();
            continue;
        }
        return Lend(std::move(conn));
    }
    ++open_;
    lock.unlock();
    try {
        auto conn = std::make_unique<pqxx::connection>(url_);
        lock.lock();
        return Lend(std::move(conn));
    } catch (...) {
        if (!lock.owns_lock()) lock.lock();
        --open_;
        available_.notify_one();
        throw;
    }
}

void Pool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
    std::unique_lock lock(mutex_);
    if (const auto it = leased_.find(conn.get()); it != leased_.end()) {
        if (it->second >= 0) ::close(it->second);
        leased_.erase(it);
    }
    if (broken || !conn->is_open() || !reachable_) {
        --open_;
        available_.notify_one();
        lock.unlock();
        conn.reset();  // PQfinish outside the lock
        return;
    }
    idle_.push_back(std::move(conn));
    available_.notify_one();
}

void Pool::SetReachable(bool reachable) {
    std::vector<std::unique_ptr<pqxx::connection>> dropped;
    {
        std::lock_guard lock(mutex_);
        const bool was = reachable_.exchange(reachable);
        if (was == reachable) return;
        if (!reachable) {
            dropped.swap(idle_);
            open_ -= dropped.size();
            // The sockets stay open (their owners close them): shutdown only wakes whoever
            // waits on them, with an error that marks the lease broken.
            for (const auto& [conn, fd] : leased_) {
                if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
            }
        }
        available_.notify_all();
    }
}

}  // namespace lantian::db
