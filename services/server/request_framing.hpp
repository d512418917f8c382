#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "http/message.hpp"
#include "server/http_server.hpp"

// The HTTP server's decisions that need no Beast (which only http_server.cpp includes).
namespace lantian::server {

/// What reading one request off a connection gave.
struct IncomingRequest {
    enum class Kind { kRequest, kRefused, kClosed };
    Kind kind = Kind::kClosed;
    http::Request request;    // kRequest
    bool keep_alive = false;  // kRequest: the client keeps the connection open
    bool head = false;        // kRequest: a HEAD request, answered without the body
    http::Response refusal;   // kRefused: written before closing

    /// The connection closed, timed out or was drained before a request arrived.
    static IncomingRequest Closed() { return {}; }
    /// A refusal before the request reaches the pipeline (framing, limits): still
    /// problem+json with a request id, and the connection closed since the stream can no
    /// longer be trusted.
    static IncomingRequest Refused(int status, std::string_view slug, std::string_view detail);
};

struct HeaderRead {
    std::size_t length = 0;  // through the blank line; 0 when the connection ended first
    bool too_large = false;  // no blank line within the limits
};

/// 414 when the request line is longer than the target limit, 431 when the header is longer
/// than its limit (or never ended within both); nothing when the header fits. `raw` holds the
/// bytes read, starting with the request line.
std::optional<IncomingRequest> RefuseOversize(std::string_view raw, const HeaderRead& read,
                                              const ServerOptions& options);

/// obs-fold (a header line continued on the next line) is deprecated by RFC 9112 and a
/// request-smuggling vector; Beast 1.81 accepts it, so it is refused on the raw bytes.
bool HasObsFold(std::string_view head);

/// Whether a request's Transfer-Encoding (all its field lines' values, joined by commas) is
/// exactly `chunked`, the one coding this server decodes. Anything else — a last coding other
/// than chunked (`identity`, `gzip`, `xchunked`, `chunked, identity`), chunked twice, codings
/// before it, an empty list — leaves the body's length unknowable: RFC 9112 §6.3 says answer
/// 400 and close, never read the body as the next request.
bool OnlyChunked(std::string_view transfer_encoding);

}  // namespace lantian::server
