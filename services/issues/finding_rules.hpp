#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "issues/issue.hpp"

namespace lantian::issues {

/// The per-request rules of what a phone or a clerk may write into the ledger: pure functions
/// of their input (and the server's clock), so they are tested without a database. Each adds
/// every problem it finds to `errors` (field paths as the API names them), or throws a 422
/// listing them.

/// One finding at `at` (a field-path prefix: "" or "findings[2]."): a phone-made UUID, a known
/// category, severity 1–3, a description, sane coordinates, at most 20 photo ids (SHA-256 hex),
/// not found in the future (5 minutes of clock drift allowed), and evidence exactly when it was
/// fixed on the spot.
void CheckFinding(const NewFinding& f, const std::string& at, TimePoint now, FieldErrors& errors);

/// An inspection: its own UUID, not started in the future, at most 50 findings each valid, and
/// no client_id used twice within it.
void CheckInspection(const NewInspection& inspection, TimePoint now, FieldErrors& errors);

/// Every photo a finding cites: its own and its on-the-spot evidence's.
std::vector<std::string> PhotosOf(const NewFinding& f);

/// Triage: a rejection needs a reason; only a rejection may name the issue it duplicates.
void CheckTriage(bool confirm, const std::string& reason, bool names_duplicate);

/// An assignment's co-units are distinct and differ from the lead unit.
void CheckUnits(long long lead_unit_id, const std::vector<long long>& co_unit_ids);

/// A rectification says what was done and shows it (1–20 photos).
void CheckRectification(const std::string& description, const std::vector<std::string>& photos);

/// A verification that returns the work says what is still wrong.
void CheckVerification(bool accept, const std::string& comment,
                       const std::vector<std::string>& photos);

/// A text with nothing but white space.
bool Blank(const std::string& s);

}  // namespace lantian::issues
