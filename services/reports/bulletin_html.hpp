#pragma once

#include <string>

#include "reports/report_service.hpp"

namespace lantian::reports {

/// The printable bulletin (通报) of a period: an A4 page in Chinese with the totals, the
/// ranking of territories, every responsible unit's figures and the overdue list. The page
/// carries its own print styles and loads nothing else, so a browser prints it to PDF cleanly.
std::string RenderBulletinHtml(const BulletinData& bulletin, TimePoint generated_at);

}  // namespace lantian::reports
