#include "auth/user_service.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/auth_service.hpp"
#include "auth/password_hasher.hpp"
#include "auth/session_repository.hpp"
#include "auth/user_repository.hpp"
#include "http/problem.hpp"
#include "support/expect_error.hpp"
#include "support/scratch_database.hpp"
#include "support/service_harness.hpp"

namespace lantian::auth {
namespace {

using itest::ErrorFrom;
using itest::FieldsOf;

constexpr const char* kPassword = "correct horse battery";

class UserServiceTest : public itest::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        hasher_ = std::make_unique<PasswordHasher>(HashCost{1, 8 * 1024 * 1024}, 2);
        service_ = std::make_unique<UserService>(pool(), *hasher_, repository_);
        auth_ = std::make_unique<AuthService>(pool(), *hasher_, repository_, sessions_,
                                              SessionPolicy{});
        jiaoxi_ =
            std::stoll(QueryValue("insert into units (code, name, kind) values "
                                  "('JF-SD-JIAOXI', '焦西街道', 'subdistrict') returning id"));
    }

    UserService& service() { return *service_; }
    long long UserCount() { return std::stoll(QueryValue("select count(*) from users")); }

    User Add(const std::string& username, const std::string& role = "office",
             std::optional<long long> unit = std::nullopt) {
        return service().Create({username, "测试 " + username, role, unit, kPassword});
    }

    bool CanSignIn(const std::string& username, const std::string& password) {
        try {
            auth_->SignIn(username, password, "192.0.2.1");
            return true;
        } catch (const Error&) {
            return false;
        }
    }

    long long jiaoxi_ = 0;

private:
    UserRepository repository_;
    SessionRepository sessions_;
    std::unique_ptr<PasswordHasher> hasher_;
    std::unique_ptr<UserService> service_;
    std::unique_ptr<AuthService> auth_;
};

TEST_F(UserServiceTest, ACreatedUserReadsBackListedAndSignsIn) {
    const User created =
        service().Create({"  Liu.GanShi ", "焦西街道 刘干事", "handler", jiaoxi_, kPassword});

    const User read = service().Get(created.id);
    const std::vector<User> listed = service().List(0, 50);

    EXPECT_EQ(read.username, "liu.ganshi") << "usernames are kept in lower case, trimmed";
    EXPECT_EQ(read.display_name, "焦西街道 刘干事");
    EXPECT_EQ(read.role, "handler");
    EXPECT_EQ(read.unit_id, jiaoxi_);
    EXPECT_FALSE(read.disabled);
    EXPECT_EQ(read.version, 1);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].id, created.id);
    EXPECT_NE(QueryValue("select password_hash from users"), kPassword);
    EXPECT_TRUE(CanSignIn("LIU.GANSHI", kPassword));
}

TEST_F(UserServiceTest, ListPagesInIdOrderAfterTheGivenId) {
    const long long a = Add("user-a").id;
    const long long b = Add("user-b").id;
    const long long c = Add("user-c").id;

    const auto first = service().List(0, 2);
    const auto second = service().List(first.back().id, 2);

    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].id, a);
    EXPECT_EQ(first[1].id, b);
    ASSERT_EQ(second.size(), 1u);
    EXPECT_EQ(second[0].id, c);
}

TEST_F(UserServiceTest, GettingOrPatchingAMissingUserIsNotFound) {
    EXPECT_EQ(ErrorFrom([&] { service().Get(424242); }).value().code(), ErrorCode::kNotFound);
    EXPECT_EQ(ErrorFrom([&] { service().Patch(424242, 1, {.display_name = "x"}); }).value().code(),
              ErrorCode::kNotFound);
}

TEST_F(UserServiceTest, APatchAtTheCurrentVersionChangesTheUserAndItsVersion) {
    const User user = Add("wangli");

    const User patched =
        service().Patch(user.id, 1, {.display_name = "环委办 王主任", .role = "supervisor"});

    EXPECT_EQ(patched.version, 2);
    EXPECT_EQ(patched.display_name, "环委办 王主任");
    EXPECT_EQ(patched.role, "supervisor");
    EXPECT_EQ(service().Get(user.id).role, "supervisor");
}

TEST_F(UserServiceTest, APatchAtAStaleVersionIsRefusedAndChangesNothing) {
    const User user = Add("wangli");
    service().Patch(user.id, 1, {.display_name = "第一次"});

    const auto e = ErrorFrom([&] { service().Patch(user.id, 1, {.role = "admin"}); });

    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), ErrorCode::kAborted);
    EXPECT_EQ(http::StatusFor(e->code()), 412);
    EXPECT_EQ(e->slug(), "precondition_failed");
    const User now = service().Get(user.id);
    EXPECT_EQ(now.role, "office");
    EXPECT_EQ(now.version, 2);
}

TEST_F(UserServiceTest, ANewPasswordReplacesTheOld) {
    const User user = Add("wangli");

    service().Patch(user.id, 1, {.password = "a brand new passphrase"});

    EXPECT_TRUE(CanSignIn("wangli", "a brand new passphrase"));
    EXPECT_FALSE(CanSignIn("wangli", kPassword));
}

TEST_F(UserServiceTest, AShortPasswordOrTheUsernameAsPasswordIsRefusedNamingPassword) {
    const User user = Add("wangli");
    const std::vector<NewUser> refused = {
        {"zhangsan", "张三", "office", std::nullopt, "short"},
        {"zhangsan1234", "张三", "office", std::nullopt, "zhangsan1234"},
        {"zhangsan1234", "张三", "office", std::nullopt, "          "},
    };
    for (const NewUser& input : refused) {
        const auto e = ErrorFrom([&] { service().Create(input); });
        ASSERT_TRUE(e) << input.password;
        EXPECT_EQ(e->code(), ErrorCode::kValidation) << input.password;
        EXPECT_EQ(FieldsOf(*e), std::vector<std::string>{"password"}) << input.password;
    }
    const auto patch = ErrorFrom([&] { service().Patch(user.id, 1, {.password = "wangli"}); });
    ASSERT_TRUE(patch);
    EXPECT_EQ(FieldsOf(*patch), std::vector<std::string>{"password"});
    EXPECT_EQ(UserCount(), 1);
    EXPECT_TRUE(CanSignIn("wangli", kPassword));
}

// Usernames are case-insensitive, so "ZhangSan1234" is that user's name however it is typed.
TEST_F(UserServiceTest, TheUsernameAsPasswordIsRefusedWhateverItsCase) {
    const auto e = ErrorFrom([&] {
        service().Create({"ZhangSan1234", "张三", "office", std::nullopt, "ZhangSan1234"});
    });

    ASSERT_TRUE(e);
    EXPECT_EQ(FieldsOf(*e), std::vector<std::string>{"password"});
    EXPECT_EQ(UserCount(), 0);
}

TEST_F(UserServiceTest, TheMostCommonPasswordsAreRefusedOnCreationAndOnChangeInAnyCase) {
    const User user = Add("wangli");
    for (const char* common : {"1234567890", "QwertyUiop", "Password123", "1q2w3e4r5t"}) {
        const auto created = ErrorFrom([&] {
            service().Create({"zhangsan", "张三", "office", std::nullopt, common});
        });
        ASSERT_TRUE(created) << common;
        EXPECT_EQ(created->code(), ErrorCode::kValidation) << common;
        EXPECT_EQ(FieldsOf(*created), std::vector<std::string>{"password"}) << common;
        const auto changed = ErrorFrom([&] { service().Patch(user.id, 1, {.password = common}); });
        ASSERT_TRUE(changed) << common;
        EXPECT_EQ(FieldsOf(*changed), std::vector<std::string>{"password"}) << common;
    }
    const auto own_name = ErrorFrom([&] {
        service().Create({"zhangsan1234", "张三", "office", std::nullopt, "ZHANGSAN1234"});
    });
    ASSERT_TRUE(own_name);
    EXPECT_EQ(FieldsOf(*own_name), std::vector<std::string>{"password"});
    EXPECT_EQ(UserCount(), 1);
    EXPECT_TRUE(CanSignIn("wangli", kPassword));
}

TEST_F(UserServiceTest, AHandlerWithoutAUnitOrAUnitThatDoesNotExistIsRefusedNamingUnitId) {
    const User office = Add("wangli");
    const User handler = Add("liuganshi", "handler", jiaoxi_);
    const std::vector<std::function<void()>> calls = {
        [&] {
            service().Create({"zhangsan", "张三", "handler", std::nullopt, kPassword});
        },
        [&] { service().Patch(office.id, 1, {.role = "handler"}); },
        [&] {
            service().Patch(
                handler.id, 1,
                {.unit_id = std::optional<std::optional<long long>>(std::optional<long long>())});
        },
        [&] {
            service().Create({"zhangsan", "张三", "office", 999999, kPassword});
        },
    };
    for (std::size_t i = 0; i < calls.size(); ++i) {
        const auto e = ErrorFrom(calls[i]);
        ASSERT_TRUE(e) << "call " << i;
        EXPECT_EQ(e->code(), ErrorCode::kValidation) << "call " << i;
        EXPECT_EQ(FieldsOf(*e), std::vector<std::string>{"unit_id"}) << "call " << i;
    }
    EXPECT_EQ(service().Get(handler.id).unit_id, jiaoxi_);
    EXPECT_EQ(service().Get(office.id).role, "office");
    EXPECT_EQ(UserCount(), 2);
}

TEST_F(UserServiceTest, AnUnknownRoleIsRefusedNamingRole) {
    const User user = Add("wangli");

    const auto create = ErrorFrom([&] {
        service().Create({"zhangsan", "张三", "superuser", std::nullopt, kPassword});
    });
    const auto patch = ErrorFrom([&] { service().Patch(user.id, 1, {.role = "root"}); });

    for (const auto& e : {create, patch}) {
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), ErrorCode::kValidation);
        EXPECT_EQ(FieldsOf(*e), std::vector<std::string>{"role"});
    }
    EXPECT_EQ(service().Get(user.id).role, "office");
}

TEST_F(UserServiceTest, AUsernameTakenInAnotherCaseIsAConflict) {
    Add("admin", "admin");

    const auto e = ErrorFrom([&] { Add("Admin", "office"); });

    ASSERT_TRUE(e);
    EXPECT_EQ(e->code(), ErrorCode::kAlreadyExists);
    EXPECT_EQ(http::StatusFor(e->code()), 409);
    EXPECT_EQ(FieldsOf(*e), std::vector<std::string>{"username"});
    EXPECT_EQ(UserCount(), 1);
}

TEST_F(UserServiceTest, EnsureAdministratorCreatesOneOnlyWhileNoEnabledAdministratorExists) {
    EXPECT_TRUE(service().EnsureAdministrator("admin", kPassword));
    EXPECT_FALSE(service().EnsureAdministrator("admin", kPassword));
    EXPECT_FALSE(service().EnsureAdministrator("root", kPassword));
    EXPECT_EQ(QueryValue("select string_agg(username || ':' || role, ',') from users"),
              "admin:admin");
    EXPECT_TRUE(CanSignIn("admin", kPassword));

    Execute("update users set disabled = true where username = 'admin'");
    EXPECT_TRUE(service().EnsureAdministrator("root", kPassword));
    EXPECT_EQ(QueryValue("select string_agg(username, ',' order by id) from users "
                         "where role = 'admin' and not disabled"),
              "root");
}

// The only administrator was disabled (nothing stops an administrator disabling themselves);
// the operator restarts with LANTIAN_ADMIN_USERNAME=admin to get back in.
TEST_F(UserServiceTest, EnsureAdministratorNeverLeavesTheServiceWithoutAnAdministratorSilently) {
    Add("admin", "admin");
    Execute("update users set disabled = true where username = 'admin'");

    bool created = false;
    bool threw = false;
    try {
        created = service().EnsureAdministrator("admin", kPassword);
    } catch (const Error&) {
        threw = true;
    }

    EXPECT_TRUE(threw || QueryValue("select count(*) from users where role = 'admin' and not "
                                    "disabled") == "1")
        << "EnsureAdministrator returned " << created
        << " and no enabled administrator exists; the operator is not told";
}

class UserRoutesTest : public itest::DatabaseTest {};

TEST_F(UserRoutesTest, APatchOverHttpNeedsTheCurrentETag) {
    itest::ServiceHarness service(database().url(), pool());
    service.users().Create({"admin", "管理员", "admin", std::nullopt, kPassword});
    const User target =
        service.users().Create({"wangli", "王力", "office", std::nullopt, kPassword});
    const std::string token = service.SignIn("admin", kPassword);
    const std::string target_path = "/api/v1/users/" + std::to_string(target.id);
    const std::string body = R"({"display_name": "王主任"})";
    auto patch = [&](const std::string& if_match) {
        http::Request r = itest::MakeRequest("PATCH", target_path, token, body, if_match);
        return service.Handle(r);
    };

    const http::Response missing = patch("");
    const http::Response stale = patch("\"v7\"");
    const http::Response current = patch("\"v1\"");
    const http::Response replayed = patch("\"v1\"");

    EXPECT_EQ(missing.status, 428) << missing.body;
    EXPECT_EQ(stale.status, 412) << stale.body;
    EXPECT_EQ(current.status, 200) << current.body;
    EXPECT_EQ(nlohmann::json::parse(current.body).at("version"), 2);
    EXPECT_EQ(replayed.status, 412) << "the ETag the client held is stale now";
    EXPECT_EQ(service.users().Get(target.id).version, 2);
}

}  // namespace
}  // namespace lantian::auth
