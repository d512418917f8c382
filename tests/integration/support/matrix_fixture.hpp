#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/message.hpp"
#include "support/scratch_database.hpp"
#include "support/service_harness.hpp"

namespace lantian::itest {

/// A signed-in person of one role (and unit) on the demo district.
struct Principal {
    std::string label;  // role@UNIT-CODE
    std::string role;
    long long user_id = 0;
    std::string username;
    std::string token;
    /// The subdistrict or park of a territorial handler (the one scoped role).
    std::optional<long long> territory;
};

/// Which object a request for a route with {id} names.
enum class Object { kNone, kInScope, kOutOfScope, kMissing };
const char* ObjectName(Object object);

/// How to make a realistic request for one route, such that a permitted caller succeeds.
struct Recipe {
    std::string table;  // of the {id} objects (users, units, sites); empty without {id}
    std::function<std::string(int serial)> body;  // unset: no body
    bool if_match = false;                        // send the object's current ETag
    bool ends_own_session = false;                // signs the caller out: use a fresh session
    std::vector<std::string> list_queries;        // GET lists: query strings to try
    std::string item_territory_field;             // list items: the field naming a territory
};

/// The demo district with one signed-in principal per role (handlers of a subdistrict, a park
/// and a department), the production routes behind a pipeline, and the request recipes.
class MatrixTest : public SeededDatabaseTest {
protected:
    static constexpr long long kMissingId = 987654321;
    static constexpr const char* kPassword = "correct horse battery";

    void SetUp() override;
    void TearDown() override;

    ServiceHarness& service() { return *service_; }
    const std::vector<Principal>& principals() const { return principals_; }
    const Principal& Admin() const;
    /// The recipe of "METHOD /pattern", or nullptr when the test does not know the route.
    const Recipe* FindRecipe(const std::string& method, const std::string& pattern) const;

    /// The id of `object` for requests of `principal` on a route whose objects live in `table`.
    long long ObjectId(const std::string& table, Object object, const Principal& principal);
    /// The route's request as `principal` would send it; `token` replaces the principal's.
    http::Request BuildRequest(const http::Route& route, const Recipe& recipe,
                               const Principal& principal, Object object, const std::string& query,
                               const std::string& token);
    /// A checksum of every row a refused request must leave alone (users, units, sites,
    /// sessions without last_seen_at, sign_in_throttle).
    std::string Snapshot();
    /// Sends `request`, recording a deviation when any checked row changed.
    http::Response SendRefused(http::Request request, const std::string& what);

    void Deviation(const std::string& what) { deviations_.push_back(what); }
    /// Fails the test listing every deviation; prints the one-line summary.
    void Report(const std::string& summary);

    long long jiaoxi_ = 0;
    long long minzhu_ = 0;
    long long minzhu_site_ = 0;
    int checks_ = 0;

private:
    std::unique_ptr<ServiceHarness> service_;
    std::vector<Principal> principals_;
    std::map<std::string, Recipe> recipes_;
    std::map<long long, long long> site_in_territory_;
    long long target_user_ = 0;
    long long target_unit_ = 0;
    int serial_ = 0;
    std::vector<std::string> deviations_;
};

/// The status line of a response, with its problem code when it has one: `403 forbidden`.
std::string Describe(const http::Response& response);
/// The `code` of a problem+json body, or empty.
std::string ProblemCode(const http::Response& response);
/// The value of a response header, or empty.
std::string HeaderOf(const http::Response& response, const std::string& name);

}  // namespace lantian::itest
