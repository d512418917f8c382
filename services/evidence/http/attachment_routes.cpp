#include "evidence/http/attachment_routes.hpp"

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http/json_body.hpp"

namespace lantian::evidence {

namespace {

std::string MediaType(std::string_view header) {
    std::string media(header.substr(0, header.find(';')));
    while (!media.empty() && media.back() == ' ') media.pop_back();
    for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return media;
}

http::Response Put(AttachmentService& service, http::Request& req) {
    const std::string sha = req.path_params.at("sha256");
    const StoredPhoto stored =
        service.Put(sha, req.body, MediaType(req.Header("content-type")), req.RequireActor());
    const auto& a = stored.attachment;
    http::Response r = http::JsonResponse(stored.created ? 201 : 200,
                                          {{"sha256", a.sha256},
                                           {"content_type", a.content_type},
                                           {"size_bytes", a.size_bytes},
                                           {"uploaded_at", FormatDistrictTime(a.uploaded_at)}});
    r.Header("Location", "/api/v1/attachments/" + a.sha256);
    return r;
}

http::Response Get(AttachmentService& service, http::Request& req) {
    Photo photo = service.Get(req.path_params.at("sha256"), req.RequireActor());
    http::Response r;
    r.content_type = photo.content_type;
    r.body = std::move(photo.bytes);
    // Content-addressed: the bytes behind this URL never change.
    r.Header("Cache-Control", "private, max-age=31536000, immutable");
    r.Header("X-Content-Type-Options", "nosniff");
    return r;
}

}  // namespace

void RegisterAttachmentRoutes(http::Router& router, AttachmentService& service) {
    router.Add("PUT", "/api/v1/attachments/{sha256}", {.max_body = kMaxPhotoBytes},
               [&service](http::Request& r) { return Put(service, r); });
    router.Add("GET", "/api/v1/attachments/{sha256}", {},
               [&service](http::Request& r) { return Get(service, r); });
}

}  // namespace lantian::evidence
