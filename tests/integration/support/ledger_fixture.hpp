#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "support/scratch_database.hpp"
#include "support/service_harness.hpp"

namespace lantian::itest {

/// One signed-in person of the demo district.
struct Person {
    std::string label;  // role@UNIT-CODE
    std::string role;
    long long user_id = 0;
    std::string token;
    std::optional<long long> unit_id;
};

/// An answer of the pipeline, with its body parsed when it is JSON.
struct Reply {
    int status = 0;
    std::string code;  // the problem's `code`, or empty
    nlohmann::json body;
    http::Response raw;

    /// `409 invalid_transition`, for messages.
    std::string Describe() const;
    /// The value of a response header, or empty.
    std::string Header(const std::string& name) const;
};

/// The workflow steps of DOMAIN.md, each one request.
enum class Step { kConfirm, kReject, kAssign, kSubmit, kAccept, kReturn };
inline constexpr Step kSteps[] = {Step::kConfirm, Step::kReject, Step::kAssign,
                                  Step::kSubmit,  Step::kAccept, Step::kReturn};
inline constexpr const char* kStatuses[] = {"reported", "confirmed", "rejected",
                                            "assigned", "submitted", "closed"};
const char* StepName(Step step);

/// The demo district with the ledger's people signed in: an inspector of 焦西街道, the office,
/// handlers of 焦西街道 (the lead unit of every issue this fixture assigns), of 城管局 (its
/// co-unit) and of 民主街道 (a stranger to it), the supervision bureau, a leader and the admin.
class LedgerTest : public SeededDatabaseTest {
protected:
    void SetUp() override;
    void TearDown() override;

    /// The number of database connections the service under test may use.
    virtual int Workers() const { return 4; }

    ServiceHarness& service() { return *service_; }

    /// Sends one request through the production pipeline. `body` null sends none.
    Reply Send(const Person& who, const std::string& method, const std::string& target,
               const nlohmann::json& body = nullptr, const std::string& if_match = "",
               const std::map<std::string, std::string>& headers = {});
    /// Uploads a fresh PNG as `who`; returns its SHA-256.
    /// Uploads a fresh photo as `who` (or, with `again`, those bytes once more); its SHA-256.
    std::string UploadPhoto(const Person& who, const std::string& again = "");

    /// A new issue at `site` (焦西 by default) reported by the inspector; asserts 201.
    nlohmann::json Report(std::optional<long long> site = std::nullopt, int severity = 1,
                          const std::string& category = "fume_direct_emission");
    /// The issue as the office sees it.
    nlohmann::json Get(long long id);
    /// The request that takes `step` on the issue, as `who` with `if_match` (may be empty).
    Reply Take(const Person& who, Step step, long long id, const std::string& if_match);
    /// The person whose role takes `step` (the lead unit's handler for kSubmit).
    const Person& ActorOf(Step step) const;
    /// A new issue (焦西, severity 1) brought to `status` by legal steps.
    nlohmann::json IssueIn(const std::string& status);
    /// The audit trail's event count for one issue.
    long long EventCount(long long id);

    static std::string ETagOf(const nlohmann::json& issue);
    /// A new user of `role` in the unit with this code (none when empty), signed in. `suffix`
    /// tells apart several people of one role and unit.
    Person SignedIn(const std::string& role, const std::string& unit_code,
                    const std::string& suffix = "");

    Person inspector_, office_, lead_handler_, co_handler_, stranger_handler_, supervisor_, leader_,
        admin_;
    long long jiaoxi_ = 0, minzhu_ = 0, chengguan_ = 0;
    long long jiaoxi_site_ = 0, minzhu_site_ = 0;
    std::string photo_;        // uploaded by the lead handler; evidence for every rectification
    std::string photo_bytes_;  // its bytes, uploaded by everyone of the fixture who cites it

private:
    std::unique_ptr<ServiceHarness> service_;
    int serial_ = 0;
};

/// A fresh client_id (a UUID) for a phone-made record.
std::string NewClientId();
/// The SHA-256 of `bytes` in lower-case hex.
std::string Sha256Hex(const std::string& bytes);
/// Bytes that start like a PNG and differ on every call.
std::string FakePng();
/// RFC 3339 (+08:00) for `minutes` ago.
std::string MinutesAgo(int minutes);

}  // namespace lantian::itest
