// The issue ledger's part of the authorization matrix fixture: issues made fresh for every case
// through the pipeline, by the roles that take each step, and the recipes of the ledger's routes.
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "common/sha256.hpp"
#include "common/time.hpp"
#include "support/matrix_fixture.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery";

/// The states an issue passes on its way to being closed, in order.
constexpr const char* kWay[] = {"reported", "confirmed", "assigned", "submitted", "closed"};

std::string FreshUuid() {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    char out[37];
    std::snprintf(out, sizeof out,
                  "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                  b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                  b[14], b[15]);
    return out;
}

/// Bytes that start like a PNG and differ on every call.
std::string FreshPng() {
    std::string bytes = "\x89PNG\r\n\x1A\n";
    unsigned char noise[48];
    randombytes_buf(noise, sizeof noise);
    bytes.append(reinterpret_cast<const char*>(noise), sizeof noise);
    return bytes;
}

std::string MinutesBefore(int minutes) {
    const auto now =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    return FormatDistrictTime(now - std::chrono::minutes(minutes));
}

json Finding(int serial, int n) {
    return {{"client_id", FreshUuid()},
            {"category", n % 2 ? "dust_uncovered" : "fume_direct_emission"},
            {"severity", 1 + (serial + n) % 3},
            {"description", "矩阵测试发现 " + std::to_string(serial) + "-" + std::to_string(n)},
            {"found_at", MinutesBefore(5)}};
}

}  // namespace

std::string PhotoSha256(const std::string& bytes) {
    return lantian::Sha256Hex(bytes);
}

http::Response MatrixTest::Call(const std::string& token, const std::string& method,
                                const std::string& target, const std::string& body,
                                const std::string& if_match) {
    http::Request request = MakeRequest(method, target, token, body, if_match);
    return service().Handle(request);
}

std::string MatrixTest::UploadPhoto(const std::string& token, const std::string& again) {
    const std::string bytes = again.empty() ? FreshPng() : again;
    const std::string sha = PhotoSha256(bytes);
    http::Request request = MakeRequest("PUT", "/api/v1/attachments/" + sha, token, bytes);
    request.headers["content-type"] = "image/png";
    const http::Response r = service().Handle(request);
    if (r.status != (again.empty() ? 201 : 200) && r.status != 201) {
        Deviation("uploading a fixture photo answered " + Describe(r));
    }
    if (again.empty()) last_photo_bytes_ = bytes;
    return sha;
}

const Principal& MatrixTest::RoleOf(const std::string& role) const {
    for (const auto& p : principals_) {
        if (p.role == role) return p;
    }
    throw std::logic_error("no principal of role " + role);
}

void MatrixTest::SetUpLedger() {
    chengguan_ = UnitId("JF-DEPT-CHENGGUAN");
    huanwei_ = UnitId("JF-DEPT-HUANWEI");
    jiaoxi_site_ = site_in_territory_.at(jiaoxi_);
    // People outside the matrix's principals: whoever reports the issues (an inspector of
    // 民主街道, so that neither their person nor their subdistrict puts the issues in scope) and
    // the handler of 民主街道, the lead unit of every out-of-scope issue.
    auto sign_up = [this](const std::string& name, const std::string& role) {
        service().users().Create({name, name, role, minzhu_, kPassword});
        return service().SignIn(name, kPassword);
    };
    reporter_token_ = sign_up("matrix-reporter", "inspector");
    lead_handler_[minzhu_] = sign_up("matrix-handler-minzhu", "handler");
    for (const auto& p : principals_) {
        if (p.role == "handler") lead_handler_[*p.unit_id] = p.token;
    }
    evidence_photo_ = UploadPhoto(lead_handler_.at(jiaoxi_));
    evidence_photo_bytes_ = last_photo_bytes_;
    // Whoever may cite the evidence photo in a probe uploads the same bytes (a photo may be
    // cited only by someone who may read it).
    for (const auto& p : principals_) {
        if (p.role != "leader" && p.role != "admin") UploadPhoto(p.token, evidence_photo_bytes_);
    }
    for (const auto& [unit, token] : lead_handler_) UploadPhoto(token, evidence_photo_bytes_);
    // Issues of every scope, so that what a list leaves out shows.
    for (const auto& p : principals_) {
        if (p.role != "inspector" && p.role != "handler") continue;
        FreshIssue("assigned", Object::kInScope, p);
        FreshIssue("submitted", Object::kOwnReportOrCoUnit, p);
    }
    FreshIssue("closed", Object::kOutOfScope, Admin());
}

long long MatrixTest::FreshIssue(const std::string& state, Object object, const Principal& p,
                                 const std::string& photo) {
    const bool in = object == Object::kInScope;
    const bool other = object == Object::kOwnReportOrCoUnit;
    const long long unit = p.role == "handler" ? p.unit_id.value_or(-1) : 0;
    long long lead = minzhu_;
    std::vector<long long> co = {huanwei_};
    if (in) {
        lead = unit ? unit : jiaoxi_;
        co = {lead == chengguan_ ? jiaoxi_ : chengguan_};
    } else if (other) {
        co = {unit ? unit : chengguan_};
    }
    const json report = {
        {"client_id", FreshUuid()},
        {"site_id", in ? site_in_territory_.at(p.territory.value_or(jiaoxi_)) : minzhu_site_},
        {"category", "fume_direct_emission"},
        {"severity", 2},
        {"description", "矩阵测试问题：油烟直排 " + std::to_string(++serial_)},
        {"photo_ids", photo.empty() ? json::array() : json::array({photo})},
        {"source", "patrol"}};
    const std::string& reporter = other && p.role == "inspector" ? p.token : reporter_token_;
    http::Response r = Call(reporter, "POST", "/api/v1/issues", report.dump());
    const std::string what =
        "a fresh " + state + " issue (" + ObjectName(object) + " for " + p.label + "): ";
    if (r.status != 201) {
        Deviation(what + "the report answered " + Describe(r) + " " + r.body);
        return kMissingId;
    }
    json issue = json::parse(r.body);
    const long long id = issue.at("id").get<long long>();
    const struct {
        const char* path;
        std::string token;
        json body;
    } steps[] = {
        {"/triage", RoleOf("office").token, {{"decision", "confirm"}}},
        {"/assignments", RoleOf("office").token, {{"lead_unit_id", lead}, {"co_unit_ids", co}}},
        {"/rectifications",
         lead_handler_.at(lead),
         {{"description", "已加装油烟净化器并投入运行"}, {"photo_ids", {evidence_photo_}}}},
        {"/verifications",
         RoleOf("supervisor").token,
         {{"decision", "accept"}, {"comment", "现场核查已整改到位"}}},
    };
    for (size_t n = 0; n < std::size(steps) && kWay[n] != state; ++n) {
        const std::string etag = "\"v" + std::to_string(issue.at("version").get<int>()) + "\"";
        r = Call(steps[n].token, "POST", "/api/v1/issues/" + std::to_string(id) + steps[n].path,
                 steps[n].body.dump(), etag);
        if (r.status != 200) {
            Deviation(what + steps[n].path + " answered " + Describe(r) + " " + r.body);
            return id;
        }
        issue = json::parse(r.body);
    }
    if (issue.at("status") != state) Deviation(what + "it is " + issue.at("status").dump());
    return id;
}

std::string MatrixTest::ObjectKey(const Recipe& recipe, Object object, const Principal& p) {
    const std::string state = recipe.state.empty() ? "assigned" : recipe.state;
    if (recipe.table == "dispatch_runs") return DispatchDay(object);
    if (recipe.table == "issues") {
        if (object == Object::kMissing) return std::to_string(kMissingId);
        return std::to_string(FreshIssue(state, object, p));
    }
    if (recipe.table == "attachments") {
        if (object == Object::kMissing) return PhotoSha256("a photo nobody uploaded");
        const std::string photo = UploadPhoto(reporter_token_);
        // An inspector reports their own issue themselves, citing the photo: they upload the
        // same bytes first (a photo may be cited only by whoever may read it).
        if (p.role == "inspector" && object == Object::kOwnReportOrCoUnit) {
            UploadPhoto(p.token, last_photo_bytes_);
        }
        FreshIssue(state, object, p, photo);
        return photo;
    }
    return std::to_string(ObjectId(recipe.table, object, p));
}

/// A photo no issue uses yet is its uploader's alone: every other reader gets 404.
void MatrixTest::CheckPhotoUpload(const Principal& p, const http::Request& put) {
    const std::string sha = put.target.substr(put.target.rfind('/') + 1);
    const std::string target = "/api/v1/attachments/" + sha;
    const http::Response own = Call(p.token, "GET", target);
    if (own.status != 200 || PhotoSha256(own.body) != sha || own.content_type != "image/png") {
        Deviation("GET " + target + " as its uploader " + p.label + ": expected the photo, got " +
                  Describe(own));
    }
    for (const auto& other : principals_) {
        if (other.user_id == p.user_id || other.role == "admin") continue;
        const http::Response r = Call(other.token, "GET", target);
        if (r.status != 404) {
            Deviation("GET " + target + " (unused, uploaded by " + p.label + ") as " + other.label +
                      ": expected 404, got " + Describe(r));
        }
    }
}

void MatrixTest::AddLedgerRecipes() {
    const json location = {{"lat", 35.2200}, {"lon", 113.1990}};
    recipes_["POST /api/v1/issues"] = {.body = [this, location](int i) {
        json body = Finding(i, 0);
        body.update({{"site_id", i % 2 ? jiaoxi_site_ : minzhu_site_},
                     {"location", location},
                     {"photo_ids", {evidence_photo_}},
                     {"source", i % 2 ? "patrol" : "hotline"}});
        return body.dump();
    }};
    recipes_["POST /api/v1/inspections"] = {.body = [this, location](int i) {
        return json{
            {"client_id", FreshUuid()},        {"site_id", i % 2 ? jiaoxi_site_ : minzhu_site_},
            {"started_at", MinutesBefore(20)}, {"location", location},
            {"notes", "矩阵测试巡查"},         {"findings", {Finding(i, 1), Finding(i, 2)}}}
            .dump();
    }};
    recipes_["GET /api/v1/issues"] = {
        .table = "issues",
        .list_queries = {"", "?status=assigned", "?subdistrict_id=" + std::to_string(minzhu_),
                         "?unit_id=" + std::to_string(jiaoxi_),
                         "?category=fume_direct_emission&severity=2"}};
    recipes_["GET /api/v1/issues/{id}"] = {.table = "issues"};
    recipes_["GET /api/v1/issues/{id}/events"] = {.table = "issues", .state = "closed"};
    recipes_["POST /api/v1/issues/{id}/triage"] = {
        .table = "issues",
        .body =
            [](int i) {
                return (i % 2 ? json{{"decision", "confirm"}}
                              : json{{"decision", "reject"}, {"reason", "现场核实不属实"}})
                    .dump();
            },
        .if_match = true,
        .state = "reported"};
    recipes_["POST /api/v1/issues/{id}/assignments"] = {
        .table = "issues",
        .body =
            [this](int) {
                return json{{"lead_unit_id", jiaoxi_}, {"co_unit_ids", {chengguan_}}}.dump();
            },
        .if_match = true,
        .state = "confirmed"};
    recipes_["POST /api/v1/issues/{id}/rectifications"] = {
        .table = "issues",
        .body =
            [this](int) {
                return json{{"description", "已整改：净化器已清洗并正常运行"},
                            {"photo_ids", {evidence_photo_}}}
                    .dump();
            },
        .if_match = true,
        .state = "assigned",
        .lead_unit_only = true};
    recipes_["POST /api/v1/issues/{id}/verifications"] = {
        .table = "issues",
        .body =
            [](int i) {
                return (i % 2 ? json{{"decision", "accept"}, {"comment", "已整改到位，予以销号"}}
                              : json{{"decision", "return"}, {"comment", "净化器未开启，退回"}})
                    .dump();
            },
        .if_match = true,
        .state = "submitted"};
    recipes_["PUT /api/v1/attachments/{sha256}"] = {
        .body = [](int) { return FreshPng(); },
        .path_from_body = true,
        .content_type = "image/png",
        .after_success = [this](const Principal& p,
                                const http::Request& put) { CheckPhotoUpload(p, put); }};
    recipes_["GET /api/v1/attachments/{sha256}"] = {.table = "attachments"};
    recipes_["GET /api/v1/rules/deadlines"] = {};
    recipes_["PUT /api/v1/rules/deadlines"] = {.body = [](int i) {
        return json{{"rules",
                     {{{"category", nullptr}, {"severity", 1}, {"hours", 168 - i % 24}},
                      {{"category", nullptr}, {"severity", 2}, {"hours", 72}},
                      {{"category", nullptr}, {"severity", 3}, {"hours", 24}},
                      {{"category", "open_burning"}, {"severity", 3}, {"hours", 12}}}}}
            .dump();
    }};
}

}  // namespace lantian::itest
