#include "units/unit_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "http/problem.hpp"
#include "sites/site_repository.hpp"
#include "sites/site_service.hpp"
#include "support/expect_error.hpp"
#include "support/scratch_database.hpp"
#include "units/unit_repository.hpp"

namespace lantian::units {
namespace {

using itest::ErrorFrom;
using itest::FieldsOf;

class UnitServiceTest : public itest::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        service_ = std::make_unique<UnitService>(pool(), repository_);
    }

    UnitService& service() { return *service_; }

    Unit Create(const std::string& code, const std::string& kind = "subdistrict",
                std::optional<long long> parent_id = std::nullopt) {
        return service().Create({code, "单位 " + code, kind, parent_id});
    }

    static std::vector<long long> Ids(const std::vector<Unit>& units) {
        std::vector<long long> ids;
        for (const auto& u : units) ids.push_back(u.id);
        return ids;
    }

private:
    UnitRepository repository_;
    std::unique_ptr<UnitService> service_;
};

TEST_F(UnitServiceTest, ACreatedUnitReadsBackAsCreatedAtVersionOne) {
    const Unit parent = Create("JF-OFF-HWB", "office");
    const Unit created = service().Create({"JF-SD-JX", "焦西街道", "subdistrict", parent.id});

    const Unit read = service().Get(created.id);

    EXPECT_GT(read.id, 0);
    EXPECT_EQ(read.code, "JF-SD-JX");
    EXPECT_EQ(read.name, "焦西街道");
    EXPECT_EQ(read.kind, "subdistrict");
    EXPECT_EQ(read.parent_id, parent.id);
    EXPECT_FALSE(read.has_boundary);
    EXPECT_EQ(read.version, 1);
    EXPECT_EQ(read.created_at, created.created_at);
    EXPECT_EQ(read.updated_at, created.created_at);
}

TEST_F(UnitServiceTest, GettingAnUnknownUnitIsNotFound) {
    const auto error = ErrorFrom([&] { service().Get(987654); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kNotFound);
    EXPECT_EQ(http::StatusFor(error->code()), 404);
}

TEST_F(UnitServiceTest, ListingFiltersByKindAndPagesAfterAnId) {
    const Unit a = Create("A", "subdistrict");
    const Unit b = Create("B", "department");
    const Unit c = Create("C", "subdistrict");
    const Unit d = Create("D", "park");
    const Unit e = Create("E", "subdistrict");

    EXPECT_EQ(Ids(service().List({.kind = "subdistrict"})),
              (std::vector<long long>{a.id, c.id, e.id}));
    EXPECT_EQ(Ids(service().List({.kind = "department"})), std::vector<long long>{b.id});
    EXPECT_EQ(Ids(service().List({.kind = "office"})), std::vector<long long>{});

    // Walking every unit two at a time visits each once, in id order.
    std::vector<long long> walked;
    long long after = 0;
    for (int page = 0; page < 10; ++page) {
        const auto units = service().List({.after_id = after, .limit = 2});
        if (units.empty()) break;
        EXPECT_LE(units.size(), 2u);
        for (const auto& u : units) walked.push_back(u.id);
        after = units.back().id;
    }
    EXPECT_EQ(walked, (std::vector<long long>{a.id, b.id, c.id, d.id, e.id}));
    EXPECT_EQ(Ids(service().List({.kind = "subdistrict", .after_id = a.id, .limit = 1})),
              std::vector<long long>{c.id});
}

TEST_F(UnitServiceTest, ASecondUnitWithTheSameCodeIsRejectedAsAlreadyExisting) {
    Create("JF-DEPT-CG", "department");

    const auto error = ErrorFrom([&] { Create("JF-DEPT-CG", "office"); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(http::StatusFor(error->code()), 409);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"code"});
    EXPECT_EQ(service().List({}).size(), 1u);
}

TEST_F(UnitServiceTest, AnInvalidKindABlankNameAndABadCodeAreReportedTogether) {
    const auto error = ErrorFrom([&] { service().Create({"焦西", "  \t", "street", {}}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(http::StatusFor(error->code()), 422);
    EXPECT_EQ(FieldsOf(*error), (std::vector<std::string>{"code", "name", "kind"}));
    EXPECT_TRUE(service().List({}).empty());
}

TEST_F(UnitServiceTest, AnEmptyOrOverlongCodeIsRejected) {
    for (const std::string& code : {std::string(), std::string(65, 'x'), std::string("A B")}) {
        const auto error = ErrorFrom([&] { service().Create({code, "名称", "office", {}}); });
        ASSERT_TRUE(error) << "code \"" << code << "\"";
        EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"code"}) << "code \"" << code << "\"";
    }
    EXPECT_NO_THROW(service().Create({std::string(64, 'x'), "名称", "office", {}}));
}

TEST_F(UnitServiceTest, ANameOfLineBreaksOnlyIsRejectedAsBlank) {
    // A name pasted from a spreadsheet cell can be nothing but a line break; the site registry
    // already treats \r and \n as blank.
    const auto error = ErrorFrom([&] { service().Create({"JF-X", "\r\n", "office", {}}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"name"});
}

TEST_F(UnitServiceTest, AnUnknownParentIsAValidationErrorNamingParent) {
    const auto error = ErrorFrom([&] { Create("JF-SD-X", "subdistrict", 424242); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(http::StatusFor(error->code()), 422);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"parent_id"});
    EXPECT_TRUE(service().List({}).empty());
}

TEST_F(UnitServiceTest, APatchAtTheCurrentVersionChangesOnlyTheGivenFieldsAndBumpsTheVersion) {
    const Unit unit = Create("JF-DEPT-ZJ", "department");

    const Unit patched = service().Patch(unit.id, 1, {.name = "解放区住建局"});

    EXPECT_EQ(patched.version, 2);
    EXPECT_EQ(patched.name, "解放区住建局");
    EXPECT_EQ(patched.code, "JF-DEPT-ZJ");
    EXPECT_EQ(patched.kind, "department");
    EXPECT_GE(patched.updated_at, unit.updated_at);
    EXPECT_EQ(patched.created_at, unit.created_at);
    const Unit read = service().Get(unit.id);
    EXPECT_EQ(read.version, 2);
    EXPECT_EQ(read.name, "解放区住建局");
}

TEST_F(UnitServiceTest, APatchAtAStaleVersionIsAbortedAndChangesNothing) {
    const Unit unit = Create("JF-DEPT-SC", "department");
    service().Patch(unit.id, 1, {.name = "市场监管局"});

    const auto error = ErrorFrom([&] { service().Patch(unit.id, 1, {.name = "覆盖"}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kAborted);
    EXPECT_EQ(http::StatusFor(error->code()), 412);
    const Unit read = service().Get(unit.id);
    EXPECT_EQ(read.name, "市场监管局");
    EXPECT_EQ(read.version, 2);
}

TEST_F(UnitServiceTest, PatchingAMissingUnitIsNotFound) {
    const auto error = ErrorFrom([&] { service().Patch(987654, 1, {.name = "无"}); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kNotFound);
}

TEST_F(UnitServiceTest, PatchingToACodeAnotherUnitUsesIsRejectedAsAlreadyExisting) {
    Create("JF-A", "office");
    const Unit b = Create("JF-B", "office");

    const auto error = ErrorFrom([&] { service().Patch(b.id, 1, {.code = "JF-A"}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(service().Get(b.id).code, "JF-B");
}

TEST_F(UnitServiceTest, APatchSetsAndClearsTheParentButNeverToTheUnitItself) {
    const Unit office = Create("JF-OFF", "office");
    const Unit unit = Create("JF-DEPT", "department");

    const Unit with_parent = service().Patch(unit.id, 1, {.parent_id = office.id});
    EXPECT_EQ(with_parent.parent_id, office.id);

    const auto self = ErrorFrom([&] { service().Patch(unit.id, 2, {.parent_id = unit.id}); });
    ASSERT_TRUE(self);
    EXPECT_EQ(FieldsOf(*self), std::vector<std::string>{"parent_id"});

    const auto unknown = ErrorFrom([&] { service().Patch(unit.id, 2, {.parent_id = 424242}); });
    ASSERT_TRUE(unknown);
    EXPECT_EQ(FieldsOf(*unknown), std::vector<std::string>{"parent_id"});

    const Unit cleared =
        service().Patch(unit.id, 2, {.parent_id = std::optional<long long>(std::nullopt)});
    EXPECT_EQ(cleared.parent_id, std::nullopt);
    EXPECT_EQ(cleared.version, 3);
    EXPECT_EQ(service().Get(unit.id).parent_id, std::nullopt);
}

TEST_F(UnitServiceTest, AUnitWithATerritoryStaysASubdistrictOrPark) {
    const long long id =
        itest::InsertTerritory(pool(), "JF-SD-T", "测试街道", {113.0, 35.0, 113.1, 35.1});
    EXPECT_TRUE(service().Get(id).has_boundary);

    const auto error = ErrorFrom([&] { service().Patch(id, 1, {.kind = "department"}); });
    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"kind"});

    EXPECT_EQ(service().Patch(id, 1, {.kind = "park"}).kind, "park");
}

TEST_F(UnitServiceTest, AUnitThatSitesBelongToStaysASubdistrictOrPark) {
    // A subdistrict made through the API has no boundary, yet a site may name it explicitly.
    // Turning it into a department would leave that site in no subdistrict at all.
    const Unit subdistrict = Create("JF-SD-NEW", "subdistrict");
    const sites::SiteRepository site_repository;
    sites::SiteService site_service(pool(), site_repository);
    sites::NewSite site;
    site.kind = "restaurant";
    site.name = "新街道饭店";
    site.address = "焦作市解放区新路1号";
    site.location = {35.22, 113.2};
    site.subdistrict_id = subdistrict.id;
    site_service.Create(site);

    const auto error =
        ErrorFrom([&] { service().Patch(subdistrict.id, 1, {.kind = "department"}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(error->code(), ErrorCode::kValidation);
    EXPECT_EQ(FieldsOf(*error), std::vector<std::string>{"kind"});
    EXPECT_EQ(service().Get(subdistrict.id).kind, "subdistrict");
}

TEST_F(UnitServiceTest, InvalidPatchFieldsAreReportedTogether) {
    const Unit unit = Create("JF-OK", "office");

    const auto error = ErrorFrom(
        [&] { service().Patch(unit.id, 1, {.code = "坏", .name = " ", .kind = "bureau"}); });

    ASSERT_TRUE(error);
    EXPECT_EQ(FieldsOf(*error), (std::vector<std::string>{"code", "name", "kind"}));
    EXPECT_EQ(service().Get(unit.id).version, 1);
}

}  // namespace
}  // namespace lantian::units
