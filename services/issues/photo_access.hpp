#pragma once

#include <string>

namespace lantian::issues {

/// The one rule of who may read an evidence photo — and so cite it in a finding, a
/// rectification or a verification: anyone who uploaded those bytes, and anyone who can see an
/// issue citing it (the issues' scope, Visibility). As SQL: a boolean expression over the photo
/// id `sha` (an SQL expression), with the caller as four parameters from `$first`: the user id,
/// then Visibility::IssueReporter, IssueReporterTerritory and IssueUnit.
///
/// Citing a photo one may not read answers exactly as citing one never uploaded, so neither
/// tells whether a hash exists.
std::string PhotoReadableSql(const std::string& sha, int first);

}  // namespace lantian::issues
