#include "auth/user.hpp"

namespace lantian::auth {

std::string_view RoleLabel(std::string_view role) {
    if (role == "inspector") return "巡查员";
    if (role == "office") return "环委办";
    if (role == "handler") return "责任单位";
    if (role == "supervisor") return "督查";
    if (role == "leader") return "领导";
    if (role == "admin") return "系统管理员";
    return {};
}

}  // namespace lantian::auth
