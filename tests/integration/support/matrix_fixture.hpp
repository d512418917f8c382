#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "auth/authorization.hpp"
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
    /// The subdistrict or park of a territorial handler (scoped on sites).
    std::optional<long long> territory;
    std::optional<long long> unit_id;
};

/// Which object a request for a route with {id} (or a photo's {sha256}) names. For issues, the
/// in-scope object lies in the caller's territory (JF-SD-JIAOXI otherwise), led by a handler's
/// own unit; the out-of-scope one lies in JF-SD-MINZHU, reported and handled by others; the
/// own-report/co-unit one is in scope by the other rule: an inspector's own report elsewhere,
/// an issue another unit leads with the handler's unit as co-unit.
enum class Object { kNone, kInScope, kOutOfScope, kMissing, kOwnReportOrCoUnit };
const char* ObjectName(Object object);

/// How to make a realistic request for one route, such that a permitted caller succeeds.
struct Recipe {
    std::string table;  // of the objects (users, units, sites, issues, attachments); or empty
    std::function<std::string(int serial)> body;  // unset: no body
    bool if_match = false;                        // send the object's current ETag
    bool ends_own_session = false;                // signs the caller out: use a fresh session
    std::vector<std::string> list_queries;        // GET lists: query strings to try
    std::string item_territory_field;             // list items: the field naming a territory
    std::string state;            // issues: the status the step needs (default: assigned)
    bool lead_unit_only = false;  // a co-unit's handler is refused: 403 not_lead_unit
    bool path_from_body = false;  // the path names what the body creates (a photo's SHA-256)
    std::string content_type;     // of the body; JSON when empty
    /// After a 2xx: further checks of what the call did (recorded as deviations).
    std::function<void(const Principal&, const http::Request&)> after_success;
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
    /// What the path names for `object`: an id, or a photo's SHA-256. Issues (and the photos
    /// of issues) are made fresh, in the recipe's state, through the pipeline.
    std::string ObjectKey(const Recipe& recipe, Object object, const Principal& principal);
    /// The object the last BuildRequest named.
    const std::string& built_object() const { return built_object_; }
    /// Whether `principal` sees only part of the objects of a route with this rule.
    static bool Scoped(const auth::RouteRule& rule, const Principal& principal);
    /// Whether a list item lies within `principal`'s scope, and the same as SQL on `t`.
    bool ItemInScope(const auth::RouteRule& rule, const Recipe& recipe, const nlohmann::json& item,
                     const Principal& principal) const;
    std::string ScopeCondition(const auth::RouteRule& rule, const Recipe& recipe,
                               const Principal& principal) const;
    /// The route's request as `principal` would send it; `token` replaces the principal's.
    http::Request BuildRequest(const http::Route& route, const Recipe& recipe,
                               const Principal& principal, Object object, const std::string& query,
                               const std::string& token);
    /// A checksum of every row a refused request must leave alone (users, units, sites,
    /// sessions without last_seen_at, sign_in_throttle, the ledger's and the dispatch's tables).
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
    // The ledger (ledger_recipes.cpp).
    void SetUpLedger();
    void AddLedgerRecipes();
    /// A new issue for `object` as seen by `p`, brought to `state` by the roles that take each
    /// step; `photo` goes into its photo_ids.
    long long FreshIssue(const std::string& state, Object object, const Principal& p,
                         const std::string& photo = "");
    http::Response Call(const std::string& token, const std::string& method,
                        const std::string& target, const std::string& body = "",
                        const std::string& if_match = "");
    /// Uploads a fresh photo as `token`'s user (or, with `again`, those bytes once more, as
    /// another uploader of them); returns its SHA-256.
    std::string UploadPhoto(const std::string& token, const std::string& again = "");
    const Principal& RoleOf(const std::string& label) const;
    void CheckPhotoUpload(const Principal& p, const http::Request& put);
    // The daily dispatch (dispatch_recipes.cpp).
    void SetUpDispatch();
    void AddDispatchRecipes();
    /// The day a path names: a run's for in-scope and out-of-scope objects alike (a run is
    /// every reader's; a handler sees their unit's part of it), a day without a run otherwise.
    std::string DispatchDay(Object object) const;
    /// After a 2xx GET of runs: each bulletin is the stored one, a handler's cut to their unit.
    void CheckBulletins(const Principal& p, const http::Request& get);
    /// After a 2xx GET of escalations: every page, only a handler's unit, all the rows in reach.
    void CheckEscalations(const Principal& p, const http::Request& get);

    std::unique_ptr<ServiceHarness> service_;
    std::vector<Principal> principals_;
    std::map<std::string, Recipe> recipes_;
    std::map<long long, long long> site_in_territory_;
    long long target_user_ = 0;
    long long target_unit_ = 0;
    int serial_ = 0;
    std::string built_object_;
    std::vector<std::string> deviations_;

    long long chengguan_ = 0, huanwei_ = 0, jiaoxi_site_ = 0;
    std::string reporter_token_;                     // an inspector of JF-SD-MINZHU
    std::map<long long, std::string> lead_handler_;  // unit -> a handler's token
    std::string evidence_photo_;
    std::string evidence_photo_bytes_;
    std::string last_photo_bytes_;

    std::string dispatch_day_;  // a run (by a later clock) with overdue issues and escalations
    /// GET targets of the dispatch's lists -> the SQL condition on the rows they list.
    std::map<std::string, std::string> list_conditions_;

    // Reports (report_recipes.cpp).
    void AddReportRecipes();
    /// `?from=..&to=..`: from two days ago to the fixture's dispatch day (its escalations).
    std::string report_period_;
    /// The SQL condition (on `issues i`) of the period's window for a timestamp column.
    std::string InReportPeriod(const std::string& column) const;
    /// GET as `p`, expecting 200 JSON; null (with a deviation) otherwise.
    nlohmann::json GetJson(const Principal& p, const std::string& target);
    /// What a handler's unit narrows: their unit's row only, figures equal the office's row of
    /// the unit and the SQL count; every other reader: every unit, the office's figures.
    void CheckReportSummary(const Principal& p, const http::Request& get);
    /// The ranking is the same for every reader (the public 通报).
    void CheckReportRanking(const Principal& p, const http::Request& get);
    /// Every page of a drill: a handler's issues only (their unit leads, or its territory
    /// before assignment), `total` equals the listed items, the summary's figure and SQL.
    void CheckReportDrill(const Principal& p, const http::Request& get);
    /// The bulletin's table of units: a handler's unit only.
    void CheckReportBulletin(const Principal& p, const http::Request& get);
    /// The map's open issues: a handler's unit's only.
    void CheckReportMap(const Principal& p, const http::Request& get);
    /// GET targets of the drill -> the SQL condition on `issues i` they list.
    std::map<std::string, std::string> drill_conditions_;
    /// Drills by unit: the metric's condition alone (a handler's own key holds all it sees).
    std::map<std::string, std::string> unit_drill_metric_;
};

/// The status line of a response, with its problem code when it has one: `403 forbidden`.
std::string Describe(const http::Response& response);
/// The `code` of a problem+json body, or empty.
std::string ProblemCode(const http::Response& response);
/// The value of a response header, or empty.
std::string HeaderOf(const http::Response& response, const std::string& name);
/// The SHA-256 of `bytes` in lower-case hex (a photo's id).
std::string PhotoSha256(const std::string& bytes);

}  // namespace lantian::itest
