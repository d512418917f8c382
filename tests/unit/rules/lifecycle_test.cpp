// The issue lifecycle (issues/lifecycle): every state × step, and who may take each step,
// without a database.
#include "issues/lifecycle.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>

#include "common/error.hpp"

namespace lantian::issues {
namespace {

constexpr Step kSteps[] = {Step::kConfirm, Step::kReject, Step::kAssign,
                           Step::kSubmit,  Step::kAccept, Step::kReturn};
const char* const kStates[] = {"reported",  "confirmed", "assigned",
                               "submitted", "closed",    "rejected"};

TEST(Lifecycle, ExactlyTheLegalStepsLeadWhereDomainMdSays) {
    const std::map<std::pair<std::string, Step>, std::string> legal = {
        {{"reported", Step::kConfirm}, "confirmed"}, {{"reported", Step::kReject}, "rejected"},
        {{"confirmed", Step::kAssign}, "assigned"},  {{"assigned", Step::kSubmit}, "submitted"},
        {{"submitted", Step::kAccept}, "closed"},    {{"submitted", Step::kReturn}, "assigned"},
    };
    for (const char* state : kStates) {
        for (const Step step : kSteps) {
            SCOPED_TRACE(std::string(state) + " " + std::string(StepName(step)));
            const auto it = legal.find({state, step});
            const std::optional<std::string> expected =
                it == legal.end() ? std::nullopt : std::optional(it->second);
            EXPECT_EQ(NextStatus(state, step), expected);
        }
    }
}

TEST(Lifecycle, AnIllegalStepIs409NamingTheCurrentState) {
    try {
        RequireTransition("closed", Step::kReturn);
        ADD_FAILURE() << "a closed issue was returned";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kFailedPrecondition);
        EXPECT_EQ(e.slug(), "invalid_transition");
        EXPECT_NE(std::string(e.what()).find("closed"), std::string::npos);
        ASSERT_EQ(e.fields().size(), 1u);
        EXPECT_EQ(e.fields()[0].field, "status");
    }
    EXPECT_EQ(RequireTransition("submitted", Step::kReturn), "assigned");
}

TEST(Lifecycle, TheOfficeTriagesAndAssignsTheHandlerSubmitsTheSupervisorVerifies) {
    const std::map<Step, Role> taker = {
        {Step::kConfirm, Role::kOffice},    {Step::kReject, Role::kOffice},
        {Step::kAssign, Role::kOffice},     {Step::kSubmit, Role::kHandler},
        {Step::kAccept, Role::kSupervisor}, {Step::kReturn, Role::kSupervisor},
    };
    for (const Step step : kSteps) {
        for (const Role role : kAllRoles) {
            SCOPED_TRACE(std::string(RoleName(role)) + " " + std::string(StepName(step)));
            EXPECT_EQ(RoleMayTake(role, step), taker.at(step) == role);
        }
    }
}

}  // namespace
}  // namespace lantian::issues
