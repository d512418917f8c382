#include "issues/lifecycle.hpp"

#include "common/error.hpp"

namespace lantian::issues {

namespace {

struct Transition {
    std::string_view from;
    Step step;
    std::string_view to;
    Role role;
};

constexpr Transition kTransitions[] = {
    {"reported", Step::kConfirm, "confirmed", Role::kOffice},
    {"reported", Step::kReject, "rejected", Role::kOffice},
    {"confirmed", Step::kAssign, "assigned", Role::kOffice},
    {"assigned", Step::kSubmit, "submitted", Role::kHandler},
    {"submitted", Step::kAccept, "closed", Role::kSupervisor},
    {"submitted", Step::kReturn, "assigned", Role::kSupervisor},
};

}  // namespace

std::string_view StepName(Step step) {
    switch (step) {
        case Step::kConfirm:
            return "confirm";
        case Step::kReject:
            return "reject";
        case Step::kAssign:
            return "assign";
        case Step::kSubmit:
            return "submit";
        case Step::kAccept:
            return "accept";
        case Step::kReturn:
            return "return";
    }
    return "unknown";
}

std::optional<std::string> NextStatus(std::string_view status, Step step) {
    for (const auto& t : kTransitions) {
        if (t.from == status && t.step == step) return std::string(t.to);
    }
    return std::nullopt;
}

bool RoleMayTake(Role role, Step step) {
    for (const auto& t : kTransitions) {
        if (t.step == step && t.role == role) return true;
    }
    return false;
}

std::string RequireTransition(std::string_view status, Step step) {
    if (auto next = NextStatus(status, step)) return *next;
    throw Error(
        ErrorCode::kFailedPrecondition, "invalid_transition",
        "cannot " + std::string(StepName(step)) + " an issue that is " + std::string(status),
        {{"status", "is " + std::string(status)}});
}

}  // namespace lantian::issues
