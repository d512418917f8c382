#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/pipeline.hpp"

namespace lantian::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int io_threads = 1;
    int worker_threads = 4;
    std::size_t max_connections = 1024;
    /// Open connections from one client address at most; at the global cap, an idle
    /// keep-alive connection (of the address holding the most) is closed to admit a new one.
    std::size_t max_connections_per_address = 64;
    std::size_t max_target_bytes = 8 * 1024;   // longer request line → 414
    std::size_t max_header_bytes = 16 * 1024;  // longer header → 431
    /// Idle keep-alive and header read, each; a slow client cannot pin a connection longer.
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds body_timeout{30'000};
};

/// The HTTP/1.1 front: Beast and Asio live behind this interface and nowhere else.
/// Handlers run on a worker pool, never on the I/O threads.
class HttpServer {
public:
    HttpServer(const http::Pipeline& pipeline, ServerOptions options);
    ~HttpServer();

    /// Binds and listens; returns the bound port (useful with port 0).
    std::uint16_t Listen();
    /// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish,
    /// closes idle connections and returns.
    void Run(const std::function<void()>& on_signal = {});

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace lantian::server
