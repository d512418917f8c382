#include "server/request_framing.hpp"

#include <strings.h>

#include <algorithm>
#include <string>

#include "http/problem.hpp"

namespace lantian::server {

IncomingRequest IncomingRequest::Refused(int status, std::string_view slug,
                                         std::string_view detail) {
    const std::string request_id = http::AcceptOrMakeRequestId("");
    IncomingRequest out;
    out.kind = Kind::kRefused;
    out.refusal = http::ProblemResponse(status, slug, detail, request_id);
    out.refusal.Header("X-Request-Id", request_id);
    out.refusal.close_connection = true;
    return out;
}

std::optional<IncomingRequest> RefuseOversize(std::string_view raw, const HeaderRead& read,
                                              const ServerOptions& options) {
    // Within a complete header the first line end is always found; past the limits it may not.
    const std::size_t line_end = raw.find("\r\n");
    if (line_end == std::string_view::npos || line_end > options.max_target_bytes) {
        return IncomingRequest::Refused(414, "uri_too_long", "request target is too long");
    }
    if (read.too_large || read.length > options.max_header_bytes) {
        return IncomingRequest::Refused(431, "header_too_large", "request header is too large");
    }
    return std::nullopt;
}

bool HasObsFold(std::string_view head) {
    return head.find("\r\n ") != std::string_view::npos ||
           head.find("\r\n\t") != std::string_view::npos;
}

bool OnlyChunked(std::string_view te) {
    int codings = 0;
    bool chunked_last = false;
    std::size_t start = 0;
    while (start <= te.size()) {
        const std::size_t comma = std::min(te.find(',', start), te.size());
        std::string_view coding = te.substr(start, comma - start);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
            coding.remove_prefix(1);
        }
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
            coding.remove_suffix(1);
        }
        if (!coding.empty()) {  // empty list elements are allowed and ignored (RFC 9110 §5.6.1)
            ++codings;
            chunked_last = coding.size() == 7 && strncasecmp(coding.data(), "chunked", 7) == 0;
        }
        start = comma + 1;
    }
    return codings == 1 && chunked_last;
}

}  // namespace lantian::server
