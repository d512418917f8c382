// The per-request rules of what may be written into the ledger (issues/finding_rules), without
// a database: each case names the field a phone or a clerk would see refused.
#include "issues/finding_rules.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace lantian::issues {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const TimePoint kNow = TimePoint{} + std::chrono::hours(24 * 365 * 56);
const std::string kPhoto(64, 'a');

NewFinding Valid() {
    NewFinding f;
    f.client_id = "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
    f.category = "fume_direct_emission";
    f.severity = 2;
    f.description = "油烟直排，净化器未开";
    f.location = GeoPoint{35.24, 113.22};
    f.photo_ids = {kPhoto};
    f.reported_at = kNow - minutes(3);
    return f;
}

std::vector<std::string> FieldsOf(const FieldErrors& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields()) out.push_back(f.field);
    return out;
}

std::vector<std::string> Refused(const NewFinding& f, const std::string& at = "") {
    FieldErrors errors;
    CheckFinding(f, at, kNow, errors);
    return FieldsOf(errors);
}

using Fields = std::vector<std::string>;

TEST(FindingRules, AValidFindingPasses) {
    EXPECT_EQ(Refused(Valid()), Fields{});
}

TEST(FindingRules, EachBrokenFieldIsNamed) {
    struct Case {
        const char* what;
        void (*breakit)(NewFinding&);
        const char* field;
    } const cases[] = {
        {"client id not a UUID", [](NewFinding& f) { f.client_id = "abc"; }, "client_id"},
        {"unknown category", [](NewFinding& f) { f.category = "noise"; }, "category"},
        {"severity 0", [](NewFinding& f) { f.severity = 0; }, "severity"},
        {"severity 4", [](NewFinding& f) { f.severity = 4; }, "severity"},
        {"blank description", [](NewFinding& f) { f.description = " \t\n"; }, "description"},
        {"description too long", [](NewFinding& f) { f.description = std::string(4001, 'x'); },
         "description"},
        {"latitude 91", [](NewFinding& f) { f.location->lat = 91; }, "location.lat"},
        {"longitude -181", [](NewFinding& f) { f.location->lon = -181; }, "location.lon"},
        {"upper-case hex photo id", [](NewFinding& f) { f.photo_ids = {std::string(64, 'A')}; },
         "photo_ids"},
        {"21 photos", [](NewFinding& f) { f.photo_ids.assign(21, kPhoto); }, "photo_ids"},
        {"found 6 minutes ahead", [](NewFinding& f) { f.reported_at = kNow + minutes(6); },
         "found_at"},
        {"evidence without fixed on the spot",
         [](NewFinding& f) {
             f.evidence = Evidence{"已整改", {kPhoto}};
         },
         "evidence"},
        {"fixed on the spot without evidence", [](NewFinding& f) { f.fixed_on_spot = true; },
         "evidence"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        NewFinding f = Valid();
        c.breakit(f);
        EXPECT_EQ(Refused(f), Fields{c.field});
    }
}

TEST(FindingRules, TheBoundariesThemselvesAreAccepted) {
    NewFinding f = Valid();
    f.severity = 3;
    f.description = std::string(4000, 'x');
    f.location = GeoPoint{-90, 180};
    f.photo_ids.assign(20, kPhoto);
    f.reported_at = kNow + minutes(5);  // the clock drift allowed
    EXPECT_EQ(Refused(f), Fields{});
    f.severity = 1;
    f.location.reset();
    f.photo_ids.clear();
    EXPECT_EQ(Refused(f), Fields{}) << "a finding without photos or position is accepted";
}

TEST(FindingRules, FixedOnTheSpotNeedsEvidenceThatSaysAndShowsIt) {
    NewFinding f = Valid();
    f.fixed_on_spot = true;
    f.evidence = Evidence{"  ", {}};
    EXPECT_EQ(Refused(f), (Fields{"evidence.description", "evidence.photo_ids"}));
    f.evidence = Evidence{"当场关闭露天烧烤", {kPhoto}};
    EXPECT_EQ(Refused(f), Fields{});
    EXPECT_EQ(PhotosOf(f), (std::vector<std::string>{kPhoto, kPhoto}));
}

TEST(FindingRules, FieldsOfAnInspectionsFindingsCarryTheirIndex) {
    NewInspection in;
    in.client_id = "00000000-0000-4000-8000-000000000001";
    in.site_id = 1;
    in.started_at = kNow - minutes(30);
    in.findings = {Valid(), Valid()};
    in.findings[1].client_id = in.findings[0].client_id;
    in.findings[1].severity = 9;
    FieldErrors errors;
    CheckInspection(in, kNow, errors);
    EXPECT_EQ(FieldsOf(errors), (Fields{"findings[1].severity", "findings[1].client_id"}));

    FieldErrors more;
    in.findings.assign(51, Valid());
    for (size_t n = 0; n < in.findings.size(); ++n) {
        in.findings[n].client_id = "00000000-0000-4000-8000-0000000001" +
                                   std::string(n < 10 ? "0" : "") + std::to_string(n);
    }
    in.started_at = kNow + minutes(6);
    CheckInspection(in, kNow, more);
    EXPECT_EQ(FieldsOf(more), (Fields{"started_at", "findings"}));
}

Error ErrorOf(void (*call)()) {
    try {
        call();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error";
    return Error(ErrorCode::kInternal, "none", "none");
}

TEST(FindingRules, TheStepsRefuseWhatTheOfficeAndUnitsMustNotSend) {
    EXPECT_NO_THROW(CheckTriage(true, "", false));
    EXPECT_NO_THROW(CheckTriage(false, "重复上报", true));
    EXPECT_EQ(ErrorOf([] { CheckTriage(false, " ", false); }).fields().at(0).field, "reason");
    EXPECT_EQ(ErrorOf([] { CheckTriage(true, "", true); }).fields().at(0).field, "duplicate_of");

    EXPECT_NO_THROW(CheckUnits(1, {2, 3}));
    EXPECT_EQ(ErrorOf([] { CheckUnits(1, {2, 2}); }).fields().at(0).field, "co_unit_ids");
    EXPECT_EQ(ErrorOf([] { CheckUnits(1, {1}); }).fields().at(0).field, "co_unit_ids");

    EXPECT_NO_THROW(CheckRectification("已安装净化器", {kPhoto}));
    EXPECT_EQ(ErrorOf([] { CheckRectification("已安装净化器", {}); }).fields().at(0).field,
              "photo_ids");
    EXPECT_EQ(ErrorOf([] { CheckRectification("", {kPhoto}); }).fields().at(0).field,
              "description");

    EXPECT_NO_THROW(CheckVerification(true, "", {}));
    EXPECT_EQ(ErrorOf([] { CheckVerification(false, "", {}); }).fields().at(0).field, "comment");
}

}  // namespace
}  // namespace lantian::issues
