#include "auth/auth_service.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/password_hasher.hpp"
#include "auth/session_repository.hpp"
#include "auth/token.hpp"
#include "auth/user_repository.hpp"
#include "auth/user_service.hpp"
#include "support/expect_error.hpp"
#include "support/scratch_database.hpp"

namespace lantian::auth {
namespace {

using namespace std::chrono_literals;
using itest::ErrorFrom;

constexpr HashCost kCheap = {1, 8 * 1024 * 1024};
constexpr const char* kPassword = "correct horse battery";
constexpr const char* kAddress = "192.0.2.1";

/// A hasher, the user administration and an AuthService with one policy, on the test's pool.
struct Auth {
    Auth(db::Pool& pool, SessionPolicy policy, HashCost cost = kCheap, int max_hashes = 2)
        : hasher(cost, max_hashes),
          users(pool, hasher, user_repository),
          service(pool, hasher, user_repository, session_repository, policy) {}

    UserRepository user_repository;
    SessionRepository session_repository;
    PasswordHasher hasher;
    UserService users;
    AuthService service;
};

/// Why signing in is refused (a test failure when it is not).
std::optional<Error> Refusal(Auth& auth, std::string_view username, std::string_view password,
                             const std::string& address = kAddress) {
    return ErrorFrom([&] { auth.service.SignIn(username, password, address); });
}

SessionPolicy Throttle(int per_user, int per_address, std::chrono::seconds lockout = 60s) {
    SessionPolicy p;
    p.max_failures_per_user = per_user;
    p.max_failures_per_address = per_address;
    p.lockout = lockout;
    return p;
}

SessionPolicy Lenient() {
    return Throttle(1000, 1000);
}

double Seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

double Median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// A field of /proc/self/status in kB (VmRSS, VmHWM).
long long StatusKb(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
    }
    return -1;
}

class AuthServiceTest : public itest::DatabaseTest {
protected:
    void SetUp() override {
        DatabaseTest::SetUp();
        if (HasFatalFailure()) return;
        jiaoxi_ =
            std::stoll(QueryValue("insert into units (code, name, kind) values "
                                  "('JF-SD-JIAOXI', '焦西街道', 'subdistrict') returning id"));
        chengguan_ =
            std::stoll(QueryValue("insert into units (code, name, kind) values "
                                  "('JF-DEPT-CHENGGUAN', '城管局', 'department') "
                                  "returning id"));
    }

    std::unique_ptr<Auth> MakeAuth(SessionPolicy policy = {}, HashCost cost = kCheap,
                                   int max_hashes = 2) {
        return std::make_unique<Auth>(pool(), policy, cost, max_hashes);
    }

    static User AddUser(Auth& auth, const std::string& username, const std::string& role = "office",
                        std::optional<long long> unit = std::nullopt) {
        return auth.users.Create({username, "测试 " + username, role, unit, kPassword});
    }

    long long jiaoxi_ = 0;
    long long chengguan_ = 0;
};

TEST_F(AuthServiceTest, SigningInGivesA43CharacterTokenOfWhichOnlyItsSha256IsStored) {
    auto auth = MakeAuth();
    const User user = AddUser(*auth, "wangli");

    const SignedIn session = auth->service.SignIn("WangLi", kPassword, kAddress);

    EXPECT_EQ(session.token.size(), 43u);
    EXPECT_EQ(session.token.find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    EXPECT_EQ(session.user.id, user.id);
    EXPECT_EQ(
        QueryValue("select count(*) from sessions where token_hash = encode(sha256(convert_to('" +
                   session.token + "', 'UTF8')), 'hex') and user_id = " + std::to_string(user.id)),
        "1");
    for (const char* table : {"sessions", "users", "sign_in_throttle"}) {
        EXPECT_EQ(QueryValue(std::string("select count(*) from ") + table +
                             " t where t::text like '%" + session.token + "%'"),
                  "0")
            << "the token itself is stored in " << table;
    }
    EXPECT_NE(auth->service.SignIn("wangli", kPassword, kAddress).token, session.token);
}

TEST_F(AuthServiceTest, WrongPasswordUnknownUserAndDisabledUserGetTheSameAnswer) {
    auto auth = MakeAuth(Lenient());
    AddUser(*auth, "wangli");
    AddUser(*auth, "zhaoqiang");
    Execute("update users set disabled = true where username = 'zhaoqiang'");

    const auto wrong = Refusal(*auth, "wangli", "wrong password!");
    const auto unknown = Refusal(*auth, "nobody", kPassword);
    const auto disabled = Refusal(*auth, "zhaoqiang", kPassword);

    ASSERT_TRUE(wrong && unknown && disabled);
    EXPECT_EQ(wrong->code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(wrong->slug(), "invalid_credentials");
    for (const auto& other : {*unknown, *disabled}) {
        EXPECT_EQ(other.code(), wrong->code());
        EXPECT_EQ(other.slug(), wrong->slug());
        EXPECT_STREQ(other.what(), wrong->what());
        EXPECT_EQ(other.retry_after(), wrong->retry_after());
    }
    EXPECT_EQ(QueryValue("select count(*) from sessions"), "0");
}

TEST_F(AuthServiceTest, AnUnknownUserTakesAsLongAsAWrongPassword) {
    auto auth = MakeAuth(Lenient(), DefaultHashCost());  // the real cost: 2 passes, 64 MiB
    AddUser(*auth, "wangli");
    auto time_one = [&](const char* username, const char* password) {
        const auto started = std::chrono::steady_clock::now();
        Refusal(*auth, username, password);
        return Seconds(std::chrono::steady_clock::now() - started);
    };
    time_one("wangli", "wrong password!");  // warm up the pool and the page cache

    std::vector<double> wrong;
    std::vector<double> unknown;
    for (int i = 0; i < 5; ++i) {
        wrong.push_back(time_one("wangli", "wrong password!"));
        unknown.push_back(time_one("nobody-at-all", "wrong password!"));
    }

    EXPECT_GE(Median(unknown), 0.5 * Median(wrong))
        << "an unknown user answers in " << Median(unknown) * 1000 << " ms, a wrong password in "
        << Median(wrong) * 1000 << " ms: the difference tells which usernames exist";
}

TEST_F(AuthServiceTest, RepeatedFailuresLockTheAccountEvenAgainstTheRightPassword) {
    auto auth = MakeAuth(Throttle(3, 100));
    AddUser(*auth, "wangli");
    for (int i = 0; i < 3; ++i) {
        const auto e = Refusal(*auth, "wangli", "wrong password!");
        ASSERT_TRUE(e);
        EXPECT_EQ(e->slug(), "invalid_credentials") << "attempt " << i + 1;
    }

    for (const char* password : {"wrong password!", kPassword}) {
        const auto e = Refusal(*auth, "WANGLI", password);
        ASSERT_TRUE(e);
        EXPECT_EQ(e->code(), ErrorCode::kResourceExhausted);
        EXPECT_EQ(e->slug(), "too_many_attempts");
        ASSERT_TRUE(e->retry_after());
        EXPECT_GT(*e->retry_after(), 0);
        EXPECT_LE(*e->retry_after(), 60);
    }
    EXPECT_EQ(QueryValue("select count(*) from sessions"), "0");
}

TEST_F(AuthServiceTest, ALockoutEndsByItself) {
    auto auth = MakeAuth(Throttle(2, 100, 1s));
    AddUser(*auth, "wangli");
    Refusal(*auth, "wangli", "wrong password!");
    Refusal(*auth, "wangli", "wrong password!");
    const auto locked = Refusal(*auth, "wangli", kPassword);
    ASSERT_TRUE(locked);
    ASSERT_EQ(locked->slug(), "too_many_attempts");

    std::this_thread::sleep_for(1200ms);

    EXPECT_EQ(auth->service.SignIn("wangli", kPassword, kAddress).user.username, "wangli");
}

TEST_F(AuthServiceTest, FailuresUnderManyUsernamesFromOneAddressLockThatAddress) {
    auto auth = MakeAuth(Throttle(100, 3));
    AddUser(*auth, "wangli");
    for (const char* guess : {"admin", "root", "zhangsan"}) {
        Refusal(*auth, guess, "wrong password!", "198.51.100.7");
    }

    const auto locked = Refusal(*auth, "wangli", kPassword, "198.51.100.7");

    ASSERT_TRUE(locked);
    EXPECT_EQ(locked->slug(), "too_many_attempts");
    EXPECT_GT(locked->retry_after().value_or(0), 0);
    EXPECT_EQ(auth->service.SignIn("wangli", kPassword, "198.51.100.8").user.username, "wangli")
        << "another address is not locked";
}

TEST_F(AuthServiceTest, FailuresFromOneAddressDoNotLockTheAccountForAnotherAddress) {
    auto auth = MakeAuth(Throttle(3, 100));
    AddUser(*auth, "wangli");
    for (int i = 0; i < 10; ++i) Refusal(*auth, "wangli", "wrong password!", "198.51.100.7");
    const auto locked = Refusal(*auth, "wangli", kPassword, "198.51.100.7");
    ASSERT_TRUE(locked);
    EXPECT_EQ(locked->slug(), "too_many_attempts");

    EXPECT_EQ(auth->service.SignIn("wangli", kPassword, "192.0.2.44").user.username, "wangli")
        << "a stranger's guesses must not lock the owner out from their own address";
}

TEST_F(AuthServiceTest, TheWaitDoublesWithEachFurtherFailureUpToTheCap) {
    SessionPolicy policy = Throttle(2, 100, 8s);
    policy.backoff = 1s;
    auto auth = MakeAuth(policy);
    AddUser(*auth, "wangli");
    Refusal(*auth, "wangli", "wrong password!");
    std::vector<int> waits;
    for (int i = 0; i < 5; ++i) {
        Refusal(*auth, "wangli", "wrong password!");
        const auto e = Refusal(*auth, "wangli", kPassword);
        ASSERT_TRUE(e);
        ASSERT_EQ(e->slug(), "too_many_attempts");
        waits.push_back(e->retry_after().value_or(-1));
        Execute("update sign_in_throttle set locked_until = now()");  // the wait is over
    }

    EXPECT_EQ(waits, (std::vector<int>{1, 2, 4, 8, 8}));
    EXPECT_EQ(BackOff(4, 5, 2s, 900s), 0s);
    EXPECT_EQ(BackOff(5, 5, 2s, 900s), 2s);
    EXPECT_EQ(BackOff(9, 5, 2s, 900s), 32s);
    EXPECT_EQ(BackOff(500, 5, 2s, 900s), 900s);
}

TEST_F(AuthServiceTest, ASuccessfulSignInClearsTheAccountsFailures) {
    auto auth = MakeAuth(Throttle(3, 100));
    AddUser(*auth, "wangli");
    auto fail = [&] {
        const auto e = Refusal(*auth, "wangli", "wrong password!");
        return e ? e->slug() : "";
    };
    fail();
    fail();

    auth->service.SignIn("wangli", kPassword, kAddress);

    EXPECT_EQ(
        QueryValue("select count(*) from sign_in_throttle where subject like 'pair:% wangli'"),
        "0");
    EXPECT_EQ(fail(), "invalid_credentials");
    EXPECT_EQ(fail(), "invalid_credentials")
        << "the failures before the success were not forgotten";
    EXPECT_EQ(auth->service.SignIn("wangli", kPassword, kAddress).user.username, "wangli");
}

TEST_F(AuthServiceTest, RaisingTheHashCostRehashesThePasswordOnTheNextSignIn) {
    auto old_cost = MakeAuth();
    const User user = AddUser(*old_cost, "wangli");
    const std::string hash_sql =
        "select password_hash from users where id = " + std::to_string(user.id);
    const std::string old_hash = QueryValue(hash_sql);

    auto raised = MakeAuth({}, {2, 16 * 1024 * 1024});
    raised->service.SignIn("wangli", kPassword, kAddress);
    const std::string new_hash = QueryValue(hash_sql);

    EXPECT_NE(new_hash, old_hash);
    EXPECT_NE(new_hash.find("m=16384,t=2"), std::string::npos) << new_hash;
    EXPECT_FALSE(raised->hasher.NeedsRehash(new_hash));
    EXPECT_EQ(raised->service.SignIn("wangli", kPassword, kAddress).user.id, user.id);
    EXPECT_EQ(QueryValue(hash_sql), new_hash) << "a current hash is left alone";
    EXPECT_TRUE(Refusal(*raised, "wangli", "wrong password!"));
}

TEST_F(AuthServiceTest, ASessionLeftIdleEnds) {
    auto auth = MakeAuth({.idle_timeout = 1s});
    AddUser(*auth, "wangli");
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    ASSERT_TRUE(auth->service.Authenticate(token));

    std::this_thread::sleep_for(1500ms);

    EXPECT_FALSE(auth->service.Authenticate(token));
}

TEST_F(AuthServiceTest, ASessionEndsAtItsAbsoluteExpiryEvenWhileInUse) {
    auto auth = MakeAuth({.absolute_timeout = 2s});
    AddUser(*auth, "wangli");
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    std::this_thread::sleep_for(1000ms);
    ASSERT_TRUE(auth->service.Authenticate(token));

    std::this_thread::sleep_for(1200ms);

    EXPECT_FALSE(auth->service.Authenticate(token));
}

// The shortest idle timeout the configuration allows is one minute (--session-idle-minutes 1).
// A session used 50 s after sign-in and again 50 s later was idle for 50 s, not 100 s.
TEST_F(AuthServiceTest, ASessionInUseOutlivesTheShortestIdleTimeout) {
    auto auth = MakeAuth({.idle_timeout = 60s});
    AddUser(*auth, "wangli");
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    const std::string fifty_seconds_pass =
        "update sessions set created_at = created_at - interval '50 seconds', "
        "last_seen_at = last_seen_at - interval '50 seconds' where token_hash = '" +
        HashToken(token) + "'";

    Execute(fifty_seconds_pass);
    ASSERT_TRUE(auth->service.Authenticate(token)) << "used 50 s after sign-in";
    Execute(fifty_seconds_pass);

    EXPECT_TRUE(auth->service.Authenticate(token))
        << "used again 50 s later, the session ended although it was idle for 50 s only";
}

TEST_F(AuthServiceTest, SigningOutEndsTheSessionAndOnlyThatOne) {
    auto auth = MakeAuth();
    AddUser(*auth, "wangli");
    const std::string phone = auth->service.SignIn("wangli", kPassword, kAddress).token;
    const std::string desk = auth->service.SignIn("wangli", kPassword, kAddress).token;

    auth->service.SignOut(phone);

    EXPECT_FALSE(auth->service.Authenticate(phone));
    EXPECT_TRUE(auth->service.Authenticate(desk));
    EXPECT_FALSE(auth->service.Authenticate(std::string(43, 'A')));
}

TEST_F(AuthServiceTest, DisablingAUserOrChangingRoleOrUnitTakesEffectOnTheNextRequest) {
    auto auth = MakeAuth();
    const User user = AddUser(*auth, "wangli", "handler", jiaoxi_);
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    const auto before = auth->service.Authenticate(token);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->role, Role::kHandler);
    EXPECT_EQ(before->unit_id, jiaoxi_);
    EXPECT_EQ(before->unit_kind, "subdistrict");

    auth->users.Patch(user.id, 1, {.unit_id = std::optional<long long>(chengguan_)});
    const auto moved = auth->service.Authenticate(token);
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->unit_id, chengguan_);
    EXPECT_EQ(moved->unit_kind, "department");

    auth->users.Patch(user.id, 2, {.role = "supervisor"});
    const auto promoted = auth->service.Authenticate(token);
    ASSERT_TRUE(promoted);
    EXPECT_EQ(promoted->role, Role::kSupervisor);

    auth->users.Patch(user.id, 3, {.disabled = true});
    EXPECT_FALSE(auth->service.Authenticate(token));
}

TEST_F(AuthServiceTest, ReEnablingAUserDoesNotReviveTheSessionsItsDisablingEnded) {
    auto auth = MakeAuth();
    const User user = AddUser(*auth, "wangli");
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    ASSERT_TRUE(auth->service.Authenticate(token));

    auth->users.Patch(user.id, 1, {.disabled = true});
    auth->users.Patch(user.id, 2, {.disabled = false});

    EXPECT_FALSE(auth->service.Authenticate(token)) << "the old session must stay ended";
    EXPECT_EQ(QueryValue("select count(*) from sessions where revoked_at is null"), "0");
    const std::string fresh = auth->service.SignIn("wangli", kPassword, kAddress).token;
    EXPECT_TRUE(auth->service.Authenticate(fresh)) << "the re-enabled user signs in anew";
}

TEST_F(AuthServiceTest, ARoleTheServiceDoesNotKnowIsRefusedAtSignInNotLeftToSeeNothing) {
    // A newer schema (or a hand edit) may hold a role this binary has no policy for.
    auto auth = MakeAuth();
    const User user = AddUser(*auth, "wangli", "office");
    const std::string token = auth->service.SignIn("wangli", kPassword, kAddress).token;
    Execute("alter table users drop constraint users_role_check");
    Execute("update users set role = 'auditor' where id = " + std::to_string(user.id));

    const auto refused = Refusal(*auth, "wangli", kPassword);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code(), ErrorCode::kPermissionDenied);
    EXPECT_EQ(refused->slug(), "unknown_role");
    EXPECT_NE(std::string(refused->what()).find("auditor"), std::string::npos);
    EXPECT_FALSE(auth->service.Authenticate(token)) << "an open session of that account ends";
}

TEST_F(AuthServiceTest, ConcurrentSignInsNeverHashMoreThanTheCapAtOnce) {
    // Each argon2id hash holds its whole memory for its duration (libsodium maps it and
    // touches every block), so the peak resident size shows how many ran at once. With two
    // cores, wall time could not tell: 16 unbounded hashes would take as long as 8 pairs.
    constexpr std::size_t kMib = 1024 * 1024;
    constexpr HashCost kCost = {1, 32 * kMib};
    constexpr int kSignIns = 16;
    auto peak_mib_for = [&](int max_hashes, int& succeeded) {
        auto auth = MakeAuth(Lenient(), kCost, max_hashes);
        const std::string name = "user" + std::to_string(max_hashes);
        AddUser(*auth, name);
        std::atomic<int> ok = 0;
        std::atomic<int> ready = 0;
        {
            std::ofstream("/proc/self/clear_refs") << "5";  // resets VmHWM to VmRSS
        }
        const long long base_kb = StatusKb("VmHWM");
        std::vector<std::thread> threads;
        for (int i = 0; i < kSignIns; ++i) {
            threads.emplace_back([&, i] {
                ++ready;
                while (ready < kSignIns) std::this_thread::yield();
                try {
                    auth->service.SignIn(name, kPassword, "192.0.2." + std::to_string(i + 1));
                    ++ok;
                } catch (const std::exception&) {
                }
            });
        }
        for (auto& t : threads) t.join();
        succeeded = ok;
        return static_cast<double>(StatusKb("VmHWM") - base_kb) / 1024.0;
    };

    int capped_ok = 0;
    const double capped = peak_mib_for(2, capped_ok);
    int wide_ok = 0;
    const double wide = peak_mib_for(8, wide_ok);

    EXPECT_EQ(capped_ok, kSignIns);
    EXPECT_LT(capped, 2.75 * 32) << "peak grew by " << capped << " MiB: more than 2 hashes at once";
    // The same measure sees 8 hashes at once when the cap allows them, so it can fail.
    EXPECT_GT(wide, 4.0 * 32) << "the peak-memory measure did not see concurrent hashes";
    EXPECT_EQ(wide_ok, kSignIns);
}

}  // namespace
}  // namespace lantian::auth
