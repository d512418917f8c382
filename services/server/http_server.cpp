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
#include <mutex>
#include <optional>
#include <set>

#include "common/log.hpp"
#include "http/problem.hpp"

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
    bool busy = false;
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
    enum class ReadOutcome { kRequest, kRefused, kClosed };

    asio::awaitable<void> Session(tcp::socket socket);
    /// Reads one request, or the refusal to send (framing, limits) before closing.
    asio::awaitable<ReadOutcome> ReadRequest(beast::tcp_stream& stream, std::string& raw,
                                             http::Request& request, bool& keep_alive,
                                             bool& head_request,
                                             std::optional<http::Response>& refusal, bool& busy);
    asio::awaitable<bool> WriteResponse(beast::tcp_stream& stream, http::Response response,
                                        bool keep_alive, bool head);
    void Drain();

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
};

namespace {

/// A refusal before the request reaches the pipeline (framing, limits): still problem+json
/// with a request id, and the connection closed since the stream can no longer be trusted.
http::Response EarlyProblem(int status, std::string_view slug, std::string_view detail) {
    const std::string request_id = http::AcceptOrMakeRequestId("");
    http::Response r = http::ProblemResponse(status, slug, detail, request_id);
    r.Header("X-Request-Id", request_id);
    r.close_connection = true;
    return r;
}

/// obs-fold (a header line continued on the next line) is deprecated by RFC 9112 and a
/// request-smuggling vector; Beast 1.81 accepts it, so it is refused here on the raw bytes.
struct HeaderRead {
    std::size_t length = 0;  // through the blank line; 0 when the connection ended first
    bool too_large = false;
};

/// Reads until the blank line that ends a request header, keeping any bytes past it in `raw`
/// (the start of a body or of a pipelined request). Bounded by `max_bytes`.
asio::awaitable<HeaderRead> ReadHeader(beast::tcp_stream& stream, std::string& raw,
                                       std::size_t max_bytes) {
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

bool HasObsFold(std::string_view head) {
    return head.find("\r\n ") != std::string_view::npos ||
           head.find("\r\n\t") != std::string_view::npos;
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
    {
        std::lock_guard lock(mutex);
        if (connections.size() >= options.max_connections) co_return;
        connections.insert(&self);
    }
    std::string raw;  // bytes read and not yet parsed
    for (;;) {
        self.busy = false;
        if (draining) break;
        http::Request request;
        bool keep_alive = false;
        bool head_request = false;
        // Refusals are built here and written below, never as temporaries inside a co_await
        // expression: g++ 12 destroys such temporaries twice (seen as a double free).
        std::optional<http::Response> refusal;
        const ReadOutcome outcome = co_await ReadRequest(stream, raw, request, keep_alive,
                                                         head_request, refusal, self.busy);
        if (outcome == ReadOutcome::kClosed) break;
        self.busy = true;
        if (outcome == ReadOutcome::kRefused) {
            co_await WriteResponse(stream, std::move(*refusal), false, false);
            co_await Linger(stream);
            break;
        }
        beast::error_code endpoint_ec;
        const auto remote = stream.socket().remote_endpoint(endpoint_ec);
        if (!endpoint_ec) request.remote_address = remote.address().to_string();
        http::Response response = co_await asio::co_spawn(
            workers,
            [this, &request]() -> asio::awaitable<http::Response> {
                co_return pipeline.Handle(request);
            },
            use_awaitable);
        const bool keep_going =
            co_await WriteResponse(stream, std::move(response), keep_alive, head_request);
        if (!keep_going) break;
    }
    {
        std::lock_guard lock(mutex);
        connections.erase(&self);
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

asio::awaitable<HttpServer::Impl::ReadOutcome> HttpServer::Impl::ReadRequest(
    beast::tcp_stream& stream, std::string& raw, http::Request& request, bool& keep_alive,
    bool& head_request, std::optional<http::Response>& refusal, bool& busy) {
    const std::size_t max_read = options.max_header_bytes + options.max_target_bytes;
    stream.expires_after(options.header_timeout);
    const HeaderRead read = co_await ReadHeader(stream, raw, max_read);
    if (read.too_large) {
        const auto line_end = raw.find("\r\n");
        if (line_end == std::string::npos || line_end > options.max_target_bytes) {
            refusal = EarlyProblem(414, "uri_too_long", "request target is too long");
        } else {
            refusal = EarlyProblem(431, "header_too_large", "request header is too large");
        }
        co_return ReadOutcome::kRefused;
    }
    const std::size_t header_bytes = read.length;
    if (header_bytes == 0) co_return ReadOutcome::kClosed;  // closed, timed out or drained
    busy = true;  // from here a drain lets the request finish
    const std::string_view head(raw.data(), header_bytes);
    if (head.find("\r\n") > options.max_target_bytes) {
        refusal = EarlyProblem(414, "uri_too_long", "request target is too long");
        co_return ReadOutcome::kRefused;
    }
    if (header_bytes > options.max_header_bytes) {
        refusal = EarlyProblem(431, "header_too_large", "request header is too large");
        co_return ReadOutcome::kRefused;
    }
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(header_bytes + 1));
    // The route's limit is known only once the header is parsed; until then, none (Beast's
    // default of 1 MiB would turn a large Content-Length into a framing error, not 413).
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    beast::error_code parse_ec;
    parser.put(asio::buffer(raw.data(), header_bytes), parse_ec);
    const auto& header = parser.get();
    const bool framing_attack = header.count(bhttp::field::transfer_encoding) > 0 &&
                                header.count(bhttp::field::content_length) > 0;
    if (parse_ec || !parser.is_header_done() || framing_attack || HasObsFold(head) ||
        header.count(bhttp::field::content_length) > 1) {
        refusal = EarlyProblem(400, "bad_request", "malformed HTTP request");
        co_return ReadOutcome::kRefused;
    }
    const std::size_t limit =
        pipeline.BodyLimit(std::string(header.method_string()), std::string(header.target()));
    if (const auto length = parser.content_length(); length && *length > limit) {
        refusal =
            EarlyProblem(413, "payload_too_large", "request body is too large for this endpoint");
        co_return ReadOutcome::kRefused;
    }
    parser.body_limit(limit);
    beast::flat_buffer buffer;
    const std::size_t rest = raw.size() - header_bytes;
    auto dest = buffer.prepare(rest);
    asio::buffer_copy(dest, asio::buffer(raw.data() + header_bytes, rest));
    buffer.commit(rest);
    raw.clear();
    if (!parser.is_done()) {
        stream.expires_after(options.body_timeout);
        auto [body_ec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
        if (body_ec == bhttp::error::body_limit) {
            refusal = EarlyProblem(413, "payload_too_large",
                                   "request body is too large for this endpoint");
            co_return ReadOutcome::kRefused;
        }
        if (body_ec) {
            if (body_ec == beast::error::timeout || body_ec == asio::error::eof ||
                body_ec == asio::error::operation_aborted) {
                co_return ReadOutcome::kClosed;
            }
            refusal = EarlyProblem(400, "bad_request", "malformed HTTP body");
            co_return ReadOutcome::kRefused;
        }
    }
    // Pipelined bytes after this request belong to the next one.
    raw.assign(static_cast<const char*>(buffer.data().data()), buffer.size());
    keep_alive = parser.keep_alive();
    head_request = parser.get().method() == bhttp::verb::head;
    request = ToRequest(parser.release());
    co_return ReadOutcome::kRequest;
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
