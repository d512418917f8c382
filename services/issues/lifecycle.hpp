#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/actor.hpp"

namespace lantian::issues {

/// The steps of an issue's life (DOMAIN.md):
///   reported ──confirm──▶ confirmed ──assign──▶ assigned ──submit──▶ submitted ──accept──▶ closed
///      └──reject──▶ rejected                        ▲                    │
///                                                   └──────return────────┘
enum class Step { kConfirm, kReject, kAssign, kSubmit, kAccept, kReturn };

std::string_view StepName(Step step);

/// The state a step leads to from `status`, or nullopt when the step is illegal there.
std::optional<std::string> NextStatus(std::string_view status, Step step);

/// Whether the actor's role may take the step at all (the office triages and assigns, the
/// lead unit's handler rectifies, the supervision bureau verifies). Unit-level checks (is this
/// handler's unit the lead unit?) are the service's.
bool RoleMayTake(Role role, Step step);

/// Throws Error 409 `invalid_transition` naming the current state when the step is illegal,
/// and returns the next state otherwise. The one place the state machine is enforced.
std::string RequireTransition(std::string_view status, Step step);

}  // namespace lantian::issues
