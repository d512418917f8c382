// The only translation unit that includes Beast/Asio (they cost ~20 s to compile).
#include "server/http_server.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <csignal>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/log.hpp"
#include "http/problem.hpp"
#include "server/request_framing.hpp"

namespace lantian::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

struct Connection {
    beast::tcp_stream* stream;
    std::string address;  // the client's, for the per-address cap
    /// A request is being read or served: a drain lets it finish, an eviction spares it.
    /// Written on the connection's strand, read by the accept loop's eviction too.
    std::atomic<bool> busy{false};
    /// Some bytes of the next request have arrived: no longer idle, never evicted.
    std::atomic<bool> receiving{false};
    std::atomic<bool> evicted{false};
    std::string raw;  // bytes read and not yet parsed (the start of a pipelined request)
};

}  // namespace

struct HttpServer::Impl {
    Impl(const http::Pipeline& p, ServerOptions o)
        : pipeline(p),
          options(std::move(o)),
          ioc(std::max(1, options.io_threads)),
          workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
          acceptor(ioc),
          signals(ioc, SIGINT, SIGTERM),
          log(log::Get("server")) {}

    asio::awaitable<void> Accept();
    asio::awaitable<void> Session(tcp::socket socket);
    /// Reads one request, or the refusal to send (framing, limits) before closing. Marks the
    /// connection busy once a header has arrived.
    asio::awaitable<IncomingRequest> ReadRequest(Connection& connection);
    asio::awaitable<http::Response> Handle(http::Request& request);
    asio::awaitable<bool> WriteResponse(beast::tcp_stream& stream, http::Response response,
                                        bool keep_alive, bool head);
    void Drain();
    /// Admits a new connection from `c->address` (under `mutex`): false when that address
    /// holds its cap, or every connection is busy at the global cap.
    bool Admit(Connection* c);
    /// Writes a 503 too_many_connections and closes.
    asio::awaitable<void> Refuse(beast::tcp_stream& stream);

    const http::Pipeline& pipeline;
    ServerOptions options;
    asio::io_context ioc;
    asio::thread_pool workers;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    std::shared_ptr<spdlog::logger> log;
    std::atomic<bool> draining{false};
    std::mutex mutex;
    std::set<Connection*> connections;
    std::map<std::string, std::size_t> per_address;  // open connections by client address
};

namespace {

using RequestParser = bhttp::request_parser<bhttp::string_body>;

/// Reads until the blank line that ends a request header, keeping any bytes past it in `raw`
/// (the start of a body or of a pipelined request). Bounded by `max_bytes`.
asio::awaitable<HeaderRead> ReadHeader(beast::tcp_stream& stream, std::string& raw,
                                       std::size_t max_bytes, std::atomic<bool>& receiving) {
    std::size_t scanned = 0;
    for (;;) {
        const std::size_t end = raw.find("\r\n\r\n", scanned);
        if (end != std::string::npos) co_return HeaderRead{end + 4, false};
        if (raw.size() >= max_bytes) co_return HeaderRead{0, true};
        scanned = raw.size() < 3 ? 0 : raw.size() - 3;
        char chunk[4096];
        const std::size_t want = std::min(sizeof chunk, max_bytes - raw.size());
        auto [ec, n] = co_await stream.async_read_some(asio::buffer(chunk, want), kTuple);
        if (ec) co_return HeaderRead{};
        receiving = true;
        raw.append(chunk, n);
    }
}

/// After refusing a request whose body is still arriving, closes our side and reads what the
/// client keeps sending for a bounded time: closing with unread bytes makes the kernel send a
/// reset that can destroy the refusal before the client reads it.
asio::awaitable<void> Linger(beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.expires_after(std::chrono::seconds(2));
    char sink[16384];
    std::size_t drained = 0;
    while (drained < 32 * 1024 * 1024) {
        auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
        if (read_ec) break;
        drained += n;
    }
}

/// Parses a complete header (`head`, through the blank line); false when it is malformed or
/// its framing is ambiguous (request smuggling).
bool ParseHeader(RequestParser& parser, std::string_view head) {
    parser.header_limit(static_cast<std::uint32_t>(head.size() + 1));
    // The route's limit is known only once the header is parsed; until then, none (Beast's
    // default of 1 MiB would turn a large Content-Length into a framing error, not 413).
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    beast::error_code ec;
    parser.put(asio::buffer(head.data(), head.size()), ec);
    const auto& header = parser.get();
    const bool framing_attack = header.count(bhttp::field::transfer_encoding) > 0 &&
                                header.count(bhttp::field::content_length) > 0;
    if (header.count(bhttp::field::transfer_encoding) > 0) {
        std::string codings;
        const auto [first, last] = header.equal_range(bhttp::field::transfer_encoding);
        for (auto it = first; it != last; ++it) codings.append(it->value()).append(",");
        if (!OnlyChunked(codings)) return false;
    }
    return !ec && parser.is_header_done() && !framing_attack && !HasObsFold(head) &&
           header.count(bhttp::field::content_length) <= 1;
}

/// The bytes past the header (the start of the body, maybe more) as the parser's buffer;
/// `raw` is left empty.
beast::flat_buffer TakeRest(std::string& raw, std::size_t header_bytes) {
    beast::flat_buffer buffer;
    const std::size_t rest = raw.size() - header_bytes;
    auto dest = buffer.prepare(rest);
    asio::buffer_copy(dest, asio::buffer(raw.data() + header_bytes, rest));
    buffer.commit(rest);
    raw.clear();
    return buffer;
}

/// Why reading a body failed, as the outcome: too large, gone, or malformed.
IncomingRequest BodyFailure(const beast::error_code& ec) {
    if (ec == bhttp::error::body_limit) {
        return IncomingRequest::Refused(413, "payload_too_large",
                                        "request body is too large for this endpoint");
    }
    if (ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::operation_aborted) {
        return IncomingRequest::Closed();
    }
    return IncomingRequest::Refused(400, "bad_request", "malformed HTTP body");
}

http::Request ToRequest(bhttp::request<bhttp::string_body>&& in) {
    http::Request req;
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    for (const auto& field : in) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
        if (!inserted) it->second += ", " + std::string(field.value());
    }
    req.body = std::move(in.body());
    return req;
}

/// The request a parser has read completely.
IncomingRequest Accepted(RequestParser& parser) {
    IncomingRequest out;
    out.kind = IncomingRequest::Kind::kRequest;
    out.keep_alive = parser.keep_alive();
    out.head = parser.get().method() == bhttp::verb::head;
    out.request = ToRequest(parser.release());
    return out;
}

}  // namespace

asio::awaitable<bool> HttpServer::Impl::WriteResponse(beast::tcp_stream& stream,
                                                      http::Response response, bool keep_alive,
                                                      bool head) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
    res.set(bhttp::field::server, "lantian");
    if (!response.content_type.empty()) {
        res.set(bhttp::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) res.insert(name, value);
    keep_alive = keep_alive && !response.close_connection && !draining.load();
    res.keep_alive(keep_alive);
    const std::size_t length = response.body.size();
    if (!head) res.body() = std::move(response.body);
    if (response.status != 204 && response.status != 304) res.content_length(length);
    stream.expires_after(options.body_timeout);
    auto [ec, n] = co_await bhttp::async_write(stream, res, kTuple);
    co_return !ec && keep_alive;
}

asio::awaitable<void> HttpServer::Impl::Session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    Connection self{&stream};
    beast::error_code endpoint_ec;
    const auto remote = stream.socket().remote_endpoint(endpoint_ec);
    if (endpoint_ec) co_return;
    self.address = remote.address().to_string();
    bool admitted = false;
    {
        std::lock_guard lock(mutex);
        admitted = Admit(&self);
    }
    if (!admitted) {
        co_await Refuse(stream);
        co_return;
    }
    for (;;) {
        self.busy = false;
        if (draining || self.evicted) break;
        // Refusals are built by ReadRequest and written below, never as temporaries inside a
        // co_await expression: g++ 12 destroys such temporaries twice (seen as a double free).
        IncomingRequest incoming = co_await ReadRequest(self);
        if (incoming.kind == IncomingRequest::Kind::kClosed) break;
        self.busy = true;
        if (incoming.kind == IncomingRequest::Kind::kRefused) {
            co_await WriteResponse(stream, std::move(incoming.refusal), false, false);
            co_await Linger(stream);
            break;
        }
        http::Response response = co_await Handle(incoming.request);
        // An evicted connection finishes its request and says it closes.
        const bool keep_alive = incoming.keep_alive && !self.evicted;
        const bool keep_going =
            co_await WriteResponse(stream, std::move(response), keep_alive, incoming.head);
        if (!keep_going) break;
    }
    {
        std::lock_guard lock(mutex);
        connections.erase(&self);
        if (--per_address[self.address] == 0) per_address.erase(self.address);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<IncomingRequest> HttpServer::Impl::ReadRequest(Connection& connection) {
    beast::tcp_stream& stream = *connection.stream;
    std::string& raw = connection.raw;
    stream.expires_after(options.header_timeout);
    connection.receiving = !raw.empty();  // a pipelined request already began
    const HeaderRead read = co_await ReadHeader(
        stream, raw, options.max_header_bytes + options.max_target_bytes, connection.receiving);
    if (read.length == 0 && !read.too_large) co_return IncomingRequest::Closed();
    connection.busy = true;  // from here a drain lets the request finish
    if (auto refusal = RefuseOversize(raw, read, options)) co_return std::move(*refusal);
    RequestParser parser;
    if (!ParseHeader(parser, std::string_view(raw.data(), read.length))) {
        co_return IncomingRequest::Refused(400, "bad_request", "malformed HTTP request");
    }
    const auto& header = parser.get();
    const std::size_t limit =
        pipeline.BodyLimit(std::string(header.method_string()), std::string(header.target()));
    if (const auto length = parser.content_length(); length && *length > limit) {
        co_return IncomingRequest::Refused(413, "payload_too_large",
                                           "request body is too large for this endpoint");
    }
    parser.body_limit(limit);
    beast::flat_buffer buffer = TakeRest(raw, read.length);
    if (!parser.is_done()) {
        stream.expires_after(options.body_timeout);
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (ec) co_return BodyFailure(ec);
    }
    // Pipelined bytes after this request belong to the next one.
    raw.assign(static_cast<const char*>(buffer.data().data()), buffer.size());
    IncomingRequest incoming = Accepted(parser);
    beast::error_code endpoint_ec;
    const auto remote = stream.socket().remote_endpoint(endpoint_ec);
    if (!endpoint_ec) incoming.request.remote_address = remote.address().to_string();
    co_return incoming;
}

/// Runs the pipeline on the worker pool, never on an I/O thread. The connection's coroutine
/// waits without holding any thread; the worker is held only while the pipeline runs. Most
/// routes answer within that call. A route with its own executor (sign-in: the argon2 hash
/// takes tens of milliseconds of CPU and may wait for a hash slot) is only queued there by the
/// pipeline, so the worker returns to serve other requests at once, and the response comes
/// back from the executor's thread, posted to this connection's strand. That way a burst of
/// sign-ins occupies the few hash threads and their bounded queue, never the request workers
/// (a full queue answers 503 at once).
///
/// The routes that answer from memory (/healthz, /readyz, /metrics) run here on the I/O thread
/// instead: they must answer while every worker waits on a database that stopped answering.
asio::awaitable<http::Response> HttpServer::Impl::Handle(http::Request& request) {
    if (pipeline.OffWorkers(request.method, request.target)) co_return pipeline.Handle(request);
    co_return co_await asio::async_initiate<decltype(use_awaitable), void(http::Response)>(
        [this, &request](auto handler) {
            // The completion handler is move-only; the pipeline's callback must be copyable.
            using HandlerType = decltype(handler);
            auto shared = std::make_shared<HandlerType>(std::move(handler));
            asio::post(workers, [this, &request, shared] {
                pipeline.Handle(request, [shared](http::Response response) {
                    auto executor = asio::get_associated_executor(*shared);
                    asio::post(executor, [shared, r = std::move(response)]() mutable {
                        (*shared)(std::move(r));
                    });
                });
            });
        },
        use_awaitable);
}

asio::awaitable<void> HttpServer::Impl::Accept() {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), kTuple);
        if (ec) {
            if (!acceptor.is_open() || draining) co_return;
            continue;  // e.g. EMFILE: keep serving the connections we have
        }
        auto executor = socket.get_executor();
        asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
    }
}

bool HttpServer::Impl::Admit(Connection* c) {
    std::size_t& mine = per_address[c->address];
    if (mine >= options.max_connections_per_address) {
        if (mine == 0) per_address.erase(c->address);
        return false;
    }
    if (connections.size() >= options.max_connections) {
        // Make room: an idle connection (waiting for its next request), from the address that
        // holds the most, is closed; one serving a request is never cut off.
        Connection* victim = nullptr;
        std::size_t victim_share = 0;
        for (Connection* other : connections) {
            if (other->busy || other->receiving || other->evicted) continue;
            const std::size_t share = per_address[other->address];
            if (!victim || share > victim_share) victim = other, victim_share = share;
        }
        if (!victim) {
            if (mine == 0) per_address.erase(c->address);
            return false;
        }
        victim->evicted = true;
        asio::post(victim->stream->get_executor(), [this, victim] {
            std::lock_guard inner(mutex);
            if (connections.contains(victim) && !victim->busy && !victim->receiving) {
                victim->stream->socket().cancel();
            }
        });
    }
    ++mine;
    connections.insert(c);
    return true;
}

asio::awaitable<void> HttpServer::Impl::Refuse(beast::tcp_stream& stream) {
    http::Response refusal = http::ProblemResponse(
        503, "too_many_connections", "too many open connections from this address", "");
    refusal.Header("Retry-After", "1");
    refusal.close_connection = true;
    co_await WriteResponse(stream, std::move(refusal), false, false);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

void HttpServer::Impl::Drain() {
    draining = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    std::lock_guard lock(mutex);
    for (Connection* c : connections) {
        // Runs on the connection's strand; a busy connection finishes its request first.
        asio::post(c->stream->get_executor(), [this, c] {
            std::lock_guard inner(mutex);
            if (connections.contains(c) && !c->busy) c->stream->socket().cancel();
        });
    }
}

HttpServer::HttpServer(const http::Pipeline& pipeline, ServerOptions options)
    : impl_(std::make_unique<Impl>(pipeline, std::move(options))) {}

HttpServer::~HttpServer() {
    impl_->workers.join();
}

std::uint16_t HttpServer::Listen() {
    auto& acceptor = impl_->acceptor;
    const tcp::endpoint endpoint(asio::ip::make_address(impl_->options.host), impl_->options.port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    return acceptor.local_endpoint().port();
}

void HttpServer::Run(const std::function<void()>& on_signal) {
    impl_->signals.async_wait([this, on_signal](const beast::error_code& ec, int signal) {
        if (ec) return;
        log::Info(*impl_->log, log::Line("draining").Int("signal", signal));
        if (on_signal) on_signal();
        impl_->Drain();
    });
    asio::co_spawn(impl_->ioc, impl_->Accept(), asio::detached);
    std::vector<std::thread> threads;
    for (int i = 1; i < impl_->options.io_threads; ++i) {
        threads.emplace_back([this] { impl_->ioc.run(); });
    }
    impl_->ioc.run();
    for (auto& t : threads) t.join();
    impl_->workers.join();
}

}  // namespace lantian::server
