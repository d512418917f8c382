#pragma once

#include <pqxx/connection>
#include <string>
#include <vector>

#include "auth/user_service.hpp"

namespace lantian::seed {

struct DemoCredential {
    std::string username;
    std::string password;
    std::string role;
    std::string unit_name;
};

/// Adds one or more demo users for every role (handlers of two subdistricts and two
/// departments) with fresh random passwords. Users that exist already are left alone and
/// not returned, so a second run changes nothing.
std::vector<DemoCredential> SeedDemoUsers(pqxx::connection& conn, auth::UserService& users);

}  // namespace lantian::seed
