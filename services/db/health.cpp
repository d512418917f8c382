#include "db/health.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include "common/log.hpp"

namespace lantian::db {

HealthMonitor::HealthMonitor(Pool& pool, Options options) : pool_(pool), options_(options) {}

HealthMonitor::~HealthMonitor() {
    Stop();
}

void HealthMonitor::Start() {
    if (prober_.joinable()) return;
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
    prober_ = std::thread([this] { ProbeLoop(); });
    watchdog_ = std::thread([this] { WatchLoop(); });
}

void HealthMonitor::Stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !prober_.joinable()) return;
        stopping_ = true;
        if (probe_socket_ >= 0) ::shutdown(probe_socket_, SHUT_RDWR);
    }
    changed_.notify_all();
    const char byte = 1;
    [[maybe_unused]] const auto n = ::write(wake_[1], &byte, 1);
    prober_.join();
    watchdog_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
}

HealthMonitor::State HealthMonitor::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

void HealthMonitor::Report(bool up, const SchemaStatus& schema) {
    bool changed = false;
    {
        std::lock_guard lock(mutex_);
        changed = !state_.known || state_.up != up;
        state_.known = true;
        state_.up = up;
        state_.schema = up ? schema : SchemaStatus{};
    }
    pool_.SetReachable(up);
    if (changed) {
        auto log = log::Get("db");
        if (up) {
            log::Info(*log, log::Line("database reachable"));
        } else {
            log::Warn(*log, log::Line("database unreachable"));
        }
    }
}

bool HealthMonitor::Pause(int sock) {
    pollfd fds[2] = {{wake_[0], POLLIN, 0}, {sock, POLLIN, 0}};
    const int count = sock >= 0 ? 2 : 1;
    ::poll(fds, count, static_cast<int>(options_.interval.count()));
    std::lock_guard lock(mutex_);
    return !stopping_;
}

void HealthMonitor::ProbeLoop() {
    std::unique_ptr<pqxx::connection> conn;
    for (;;) {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            probing_since_ = std::chrono::steady_clock::now();
        }
        bool up = false;
        SchemaStatus schema;
        try {
            if (!conn || !conn->is_open()) {
                conn.reset();
                conn = std::make_unique<pqxx::connection>(pool_.url());
            }
            {
                std::lock_guard lock(mutex_);
                probe_socket_ = ::dup(conn->sock());
            }
            schema = InspectSchema(*conn, EmbeddedMigrations());
            up = true;
        } catch (const std::exception&) {
            conn.reset();
        }
        bool overdue = false;
        {
            std::lock_guard lock(mutex_);
            overdue = !probing_since_;  // the watchdog gave up on this probe
            probing_since_.reset();
            if (probe_socket_ >= 0) ::close(probe_socket_);
            probe_socket_ = -1;
        }
        // A probe the watchdog gave up on has already reported the database down; its late
        // success proves little (the next one decides).
        if (!overdue || !up) Report(up, schema);
        if (!Pause(conn ? conn->sock() : -1)) return;
        // Activity on an idle connection is a goodbye (or a notice): start afresh.
        if (conn && Pool::Stale(*conn)) conn.reset();
    }
}

void HealthMonitor::WatchLoop() {
    const auto tick = std::max(std::chrono::milliseconds(10), options_.deadline / 10);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        changed_.wait_for(lock, tick);
        if (stopping_) return;
        if (probing_since_ &&
            std::chrono::steady_clock::now() - *probing_since_ > options_.deadline) {
            probing_since_.reset();
            // Wake the probe (its connection is dropped) and report now.
            if (probe_socket_ >= 0) ::shutdown(probe_socket_, SHUT_RDWR);
            const bool changed = !state_.known || state_.up;
            state_.known = true;
            state_.up = false;
            state_.schema = {};
            lock.unlock();
            pool_.SetReachable(false);
            if (changed) {
                log::Warn(*log::Get("db"), log::Line("database unreachable")
                                               .Str("reason", "no answer within the deadline"));
            }
            lock.lock();
        }
    }
}

}  // namespace lantian::db
