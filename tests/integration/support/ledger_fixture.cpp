#include "support/ledger_fixture.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include "common/sha256.hpp"
#include "common/time.hpp"
#include "db/transaction.hpp"

namespace lantian::itest {

namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery";

}  // namespace

std::string Reply::Describe() const {
    return std::to_string(status) + (code.empty() ? "" : " " + code);
}

std::string Reply::Header(const std::string& name) const {
    for (const auto& [key, value] : raw.headers) {
        if (key == name) return value;
    }
    return "";
}

std::string MinutesAgo(int minutes) {
    const auto now =
        std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
    return FormatDistrictTime(now - std::chrono::minutes(minutes));
}

const char* StepName(Step step) {
    switch (step) {
        case Step::kConfirm:
            return "confirm";
        case Step::kReject:
            return "reject";
        case Step::kAssign:
            return "assign";
        case Step::kSubmit:
            return "submit";
        case Step::kAccept:
            return "accept";
        case Step::kReturn:
            return "return";
    }
    return "?";
}

std::string NewClientId() {
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

std::string Sha256Hex(const std::string& bytes) {
    return lantian::Sha256Hex(bytes);
}

std::string FakePng() {
    std::string bytes = "\x89PNG\r\n\x1A\n";
    unsigned char noise[64];
    randombytes_buf(noise, sizeof noise);
    bytes.append(reinterpret_cast<const char*>(noise), sizeof noise);
    return bytes;
}

Person LedgerTest::SignedIn(const std::string& role, const std::string& unit_code,
                            const std::string& suffix) {
    Person p;
    p.role = role;
    p.label = role + suffix + (unit_code.empty() ? "" : "@" + unit_code);
    std::string username = p.label;
    std::replace(username.begin(), username.end(), '@', '.');
    std::transform(username.begin(), username.end(), username.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!unit_code.empty()) p.unit_id = UnitId(unit_code);
    p.user_id = service().users().Create({username, p.label, role, p.unit_id, kPassword}).id;
    p.token = service().SignIn(username, kPassword);
    if (!photo_bytes_.empty() && role != "admin" && role != "leader") UploadPhoto(p, photo_bytes_);
    return p;
}

void LedgerTest::SetUp() {
    SeededDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    service_ = std::make_unique<ServiceHarness>(database().url(), pool(), Workers());
    jiaoxi_ = UnitId("JF-SD-JIAOXI");
    minzhu_ = UnitId("JF-SD-MINZHU");
    chengguan_ = UnitId("JF-DEPT-CHENGGUAN");
    inspector_ = SignedIn("inspector", "JF-SD-JIAOXI");
    office_ = SignedIn("office", "JF-OFF-HUANWEIBAN");
    lead_handler_ = SignedIn("handler", "JF-SD-JIAOXI");
    co_handler_ = SignedIn("handler", "JF-DEPT-CHENGGUAN");
    stranger_handler_ = SignedIn("handler", "JF-SD-MINZHU");
    supervisor_ = SignedIn("supervisor", "JF-OFF-DUCHA");
    leader_ = SignedIn("leader", "");
    admin_ = SignedIn("admin", "");
    jiaoxi_site_ = std::stoll(
        QueryValue("select min(id) from sites where subdistrict_id = " + std::to_string(jiaoxi_)));
    minzhu_site_ = std::stoll(
        QueryValue("select min(id) from sites where subdistrict_id = " + std::to_string(minzhu_)));
    // A photo may be cited only by whoever may read it: everyone of the fixture who cites its
    // photo has uploaded the same bytes (one attachment, each uploader recorded), and so does
    // every person SignedIn makes later.
    photo_bytes_ = FakePng();
    photo_ = UploadPhoto(lead_handler_, photo_bytes_);
    for (const Person* who :
         {&inspector_, &office_, &co_handler_, &stranger_handler_, &supervisor_}) {
        UploadPhoto(*who, photo_bytes_);
    }
}

void LedgerTest::TearDown() {
    service_.reset();  // its pool's connections go before the database does
    SeededDatabaseTest::TearDown();
}

Reply LedgerTest::Send(const Person& who, const std::string& method, const std::string& target,
                       const json& body, const std::string& if_match,
                       const std::map<std::string, std::string>& headers) {
    http::Request request =
        MakeRequest(method, target, who.token, body.is_null() ? "" : body.dump(), if_match);
    for (const auto& [name, value] : headers) request.headers[name] = value;
    Reply reply;
    reply.raw = service().Handle(request);
    reply.status = reply.raw.status;
    reply.body = json::parse(reply.raw.body, nullptr, false);
    if (reply.body.is_object() && reply.body.contains("code") && reply.body["code"].is_string()) {
        reply.code = reply.body["code"].get<std::string>();
    }
    return reply;
}

std::string LedgerTest::UploadPhoto(const Person& who, const std::string& again) {
    const std::string bytes = again.empty() ? FakePng() : again;
    const std::string sha = Sha256Hex(bytes);
    http::Request request = MakeRequest("PUT", "/api/v1/attachments/" + sha, who.token);
    request.body = bytes;
    request.headers["content-type"] = "image/png";
    const http::Response r = service().Handle(request);
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;  // 200: again
    return sha;
}

json LedgerTest::Report(std::optional<long long> site, int severity, const std::string& category) {
    const json body = {{"client_id", NewClientId()},
                       {"site_id", site.value_or(jiaoxi_site_)},
                       {"category", category},
                       {"severity", severity},
                       {"description", "油烟未经净化直排 " + std::to_string(++serial_)},
                       {"location", {{"lat", 35.22}, {"lon", 113.199}}},
                       {"photo_ids", json::array()},
                       {"source", "patrol"}};
    const Reply r = Send(inspector_, "POST", "/api/v1/issues", body);
    EXPECT_EQ(r.status, 201) << r.raw.body;
    return r.body;
}

json LedgerTest::Get(long long id) {
    const Reply r = Send(office_, "GET", "/api/v1/issues/" + std::to_string(id));
    EXPECT_EQ(r.status, 200) << r.raw.body;
    return r.body;
}

std::string LedgerTest::ETagOf(const json& issue) {
    return "\"v" + std::to_string(issue.at("version").get<int>()) + "\"";
}

Reply LedgerTest::Take(const Person& who, Step step, long long id, const std::string& if_match) {
    const std::string base = "/api/v1/issues/" + std::to_string(id);
    switch (step) {
        case Step::kConfirm:
            return Send(who, "POST", base + "/triage", {{"decision", "confirm"}}, if_match);
        case Step::kReject:
            return Send(who, "POST", base + "/triage",
                        {{"decision", "reject"}, {"reason", "现场核实不属实"}}, if_match);
        case Step::kAssign:
            return Send(who, "POST", base + "/assignments",
                        {{"lead_unit_id", jiaoxi_}, {"co_unit_ids", {chengguan_}}}, if_match);
        case Step::kSubmit:
            return Send(who, "POST", base + "/rectifications",
                        {{"description", "已安装油烟净化器并正常运行"}, {"photo_ids", {photo_}}},
                        if_match);
        case Step::kAccept:
            return Send(who, "POST", base + "/verifications",
                        {{"decision", "accept"}, {"comment", "现场核查已整改到位"}}, if_match);
        case Step::kReturn:
            return Send(who, "POST", base + "/verifications",
                        {{"decision", "return"}, {"comment", "净化器未开启，退回重新整改"}},
                        if_match);
    }
    return {};
}

const Person& LedgerTest::ActorOf(Step step) const {
    switch (step) {
        case Step::kConfirm:
        case Step::kReject:
        case Step::kAssign:
            return office_;
        case Step::kSubmit:
            return lead_handler_;
        case Step::kAccept:
        case Step::kReturn:
            return supervisor_;
    }
    return admin_;
}

json LedgerTest::IssueIn(const std::string& status) {
    static const std::map<std::string, std::vector<Step>> kPath = {
        {"reported", {}},
        {"confirmed", {Step::kConfirm}},
        {"rejected", {Step::kReject}},
        {"assigned", {Step::kConfirm, Step::kAssign}},
        {"submitted", {Step::kConfirm, Step::kAssign, Step::kSubmit}},
        {"closed", {Step::kConfirm, Step::kAssign, Step::kSubmit, Step::kAccept}},
    };
    json issue = Report();
    for (const Step step : kPath.at(status)) {
        const Reply r = Take(ActorOf(step), step, issue.at("id"), ETagOf(issue));
        EXPECT_EQ(r.status, 200) << StepName(step) << ": " << r.raw.body;
        issue = r.body;
    }
    EXPECT_EQ(issue.value("status", ""), status);
    return issue;
}

long long LedgerTest::EventCount(long long id) {
    return std::stoll(
        QueryValue("select count(*) from issue_events where issue_id = " + std::to_string(id)));
}

}  // namespace lantian::itest
