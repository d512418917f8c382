#include "seed/demo_users.hpp"

#include <sodium.h>

#include <optional>
#include <pqxx/pqxx>

#include "common/error.hpp"
#include "db/statement.hpp"

namespace lantian::seed {

namespace {

constexpr const char* kUnitByCode = "select id, name from units where code = $1";

struct DemoUser {
    const char* username;
    const char* display_name;
    const char* role;
    const char* unit_code;  // empty: no unit
};

constexpr DemoUser kDemoUsers[] = {
    {"admin", "系统管理员", "admin", ""},
    {"huanweiban", "环委办 王主任", "office", "JF-OFF-HUANWEIBAN"},
    {"duchaju", "督查局 李科长", "supervisor", "JF-OFF-DUCHA"},
    {"lingdao", "区领导 张区长", "leader", ""},
    {"xuncha1", "巡查员 赵建国", "inspector", "JF-SD-JIAOXI"},
    {"xuncha2", "巡查员 孙丽娟", "inspector", "JF-SD-MINZHU"},
    {"jiaoxi", "焦西街道 刘干事", "handler", "JF-SD-JIAOXI"},
    {"minzhu", "民主街道 陈干事", "handler", "JF-SD-MINZHU"},
    {"chengguan", "区城管局 周科员", "handler", "JF-DEPT-CHENGGUAN"},
    {"zhujian", "区住建局 吴科员", "handler", "JF-DEPT-ZHUJIAN"},
};

std::string RandomPassword() {
    // No look-alikes (0/O, 1/l/I): people type these from a printed sheet.
    constexpr std::string_view kAlphabet =
        "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    for (int i = 0; i < 14; ++i) {
        out += kAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kAlphabet.size()))];
    }
    return out;
}

}  // namespace

std::vector<DemoCredential> SeedDemoUsers(pqxx::connection& conn, auth::UserService& users) {
    std::vector<DemoCredential> created;
    for (const DemoUser& demo : kDemoUsers) {
        std::optional<long long> unit_id;
        std::string unit_name;
        if (*demo.unit_code != '\0') {
            pqxx::nontransaction tx(conn);
            const auto r = db::Exec(tx, kUnitByCode, demo.unit_code);
            if (r.empty()) {
                throw std::runtime_error(std::string("demo unit ") + demo.unit_code +
                                         " is missing; load the demo district first");
            }
            unit_id = r[0][0].as<long long>();
            unit_name = r[0][1].as<std::string>();
        }
        const std::string password = RandomPassword();
        try {
            users.Create({demo.username, demo.display_name, demo.role, unit_id, password});
        } catch (const Error& e) {
            if (e.code() == ErrorCode::kAlreadyExists) continue;
            throw;
        }
        created.push_back({demo.username, password, demo.role, unit_name});
    }
    return created;
}

}  // namespace lantian::seed
