#include "reports/bulletin_html.hpp"

#include <cstdio>

#include "common/time.hpp"

namespace lantian::reports {

namespace {

std::string Escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::string Percent(std::optional<double> rate) {
    if (!rate) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", *rate * 100);
    return buf;
}

std::string Hours(std::optional<double> hours) {
    if (!hours) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", *hours);
    return buf;
}

std::string Num(long long n) {
    return std::to_string(n);
}

// "2026-11-27T08:00:00+08:00" → "2026-11-27 08:00"
std::string Minute(TimePoint t) {
    const std::string s = FormatDistrictTime(t);
    return s.substr(0, 10) + " " + s.substr(11, 5);
}

constexpr const char* kStyle = R"(
  @page { size: A4; margin: 16mm 14mm 18mm; }
  * { box-sizing: border-box; }
  body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC",
         sans-serif; color: #111; margin: 0 auto; max-width: 190mm; font-size: 10.5pt;
         line-height: 1.5; }
  h1 { font-size: 18pt; text-align: center; color: #b00; margin: 0 0 2mm; letter-spacing: 1px; }
  .meta { text-align: center; color: #444; margin-bottom: 4mm; font-size: 9.5pt; }
  hr.red { border: 0; border-top: 2px solid #b00; margin: 0 0 5mm; }
  h2 { font-size: 12.5pt; margin: 6mm 0 2mm; break-after: avoid; }
  p { text-indent: 2em; margin: 1mm 0; }
  table { width: 100%; border-collapse: collapse; font-size: 9pt; margin-bottom: 2mm; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  th, td { border: 0.6pt solid #555; padding: 1mm 1.5mm; text-align: center; }
  th { background: #e8eef6; font-weight: bold; }
  td.name { text-align: left; }
  tr.total td { font-weight: bold; background: #f4f4f4; }
  .note { font-size: 8.5pt; color: #444; margin-top: 5mm; }
  .note p { text-indent: 0; }
  @media screen { body { padding: 10mm; background: #fff; } }
)";

void Totals(std::string& out, const BulletinData& b) {
    const Counts& t = b.by_unit.totals;
    out += "<h2>一、总体情况</h2>\n<p>本期共发现问题 " + Num(t[Metric::kFound]) + " 个，确认 " +
           Num(t[Metric::kConfirmed]) + " 个，交办 " + Num(t[Metric::kAssigned]) +
           " 个，提交整改 " + Num(t[Metric::kSubmitted]) + " 个，销号 " + Num(t[Metric::kClosed]) +
           " 个。到期问题 " + Num(t[Metric::kDue]) + " 个，按期整改 " + Num(t[Metric::kOnTime]) +
           " 个，按期整改率 " + Percent(t.OnTimeRate()) + "；销号率 " + Percent(t.ClosureRate()) +
           "；返工率 " + Percent(t.ReworkRate()) + "；截至统计时点超期未整改 " +
           Num(t[Metric::kOverdue]) + " 个。</p>\n";
}

void RankingSection(std::string& out, const Ranking& r) {
    out +=
        "<h2>二、街道（园区）按期整改排名</h2>\n<table class=\"ranking\"><thead><tr>"
        "<th>名次</th><th>街道（园区）</th><th>到期</th><th>按期整改</th><th>按期整改率</th>"
        "<th>超期</th><th>督办</th><th>约谈</th><th>问责</th></tr></thead><tbody>\n";
    for (const auto& row : r.rows) {
        out += "<tr><td>" + Num(row.rank) + "</td><td class=\"name\">" + Escape(row.unit_name) +
               "</td><td>" + Num(row.counts[Metric::kDue]) + "</td><td>" +
               Num(row.counts[Metric::kOnTime]) + "</td><td>" + Percent(row.counts.OnTimeRate()) +
               "</td><td>" + Num(row.counts[Metric::kOverdue]) + "</td><td>" +
               Num(row.escalations.level[0]) + "</td><td>" + Num(row.escalations.level[1]) +
               "</td><td>" + Num(row.escalations.level[2]) + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
}

void UnitRow(std::string& out, const std::string& name, const Counts& c, bool total) {
    out += std::string(total ? "<tr class=\"total\">" : "<tr>") + "<td class=\"name\">" +
           Escape(name) + "</td><td>" + Num(c[Metric::kFound]) + "</td><td>" +
           Num(c[Metric::kAssigned]) + "</td><td>" + Num(c[Metric::kClosed]) + "</td><td>" +
           Num(c[Metric::kDue]) + "</td><td>" + Percent(c.OnTimeRate()) + "</td><td>" +
           Percent(c.ClosureRate()) + "</td><td>" + Percent(c.ReworkRate()) + "</td><td>" +
           Num(c[Metric::kOverdue]) + "</td><td>" + Hours(c.MeanHoursToRectify()) + "</td></tr>\n";
}

void UnitSection(std::string& out, const Summary& s) {
    out +=
        "<h2>三、责任单位整改情况</h2>\n<table class=\"units\"><thead><tr>"
        "<th>责任单位</th><th>发现</th><th>交办</th><th>销号</th><th>到期</th>"
        "<th>按期整改率</th><th>销号率</th><th>返工率</th><th>超期</th>"
        "<th>平均整改时长（小时）</th></tr></thead><tbody>\n";
    for (const auto& row : s.rows) UnitRow(out, row.label, row.counts, false);
    UnitRow(out, "合计", s.totals, true);
    out += "</tbody></table>\n";
}

void OverdueSection(std::string& out, const BulletinData& b) {
    out += "<h2>四、超期未整改问题清单</h2>\n";
    if (b.overdue.empty()) {
        out += "<p>截至统计时点，无超期未整改问题。</p>\n";
        return;
    }
    out +=
        "<table class=\"overdue\"><thead><tr><th>问题编号</th><th>点位</th><th>问题类别</th>"
        "<th>责任单位</th><th>整改期限</th><th>超期天数</th><th>督办等级</th></tr></thead>"
        "<tbody>\n";
    static constexpr const char* kLevels[] = {"—", "督办", "约谈", "问责"};
    for (const auto& o : b.overdue) {
        const int level =
            o.escalation_level >= 0 && o.escalation_level <= 3 ? o.escalation_level : 0;
        out += "<tr><td>" + Num(o.issue_id) + "</td><td class=\"name\">" + Escape(o.site_name) +
               "</td><td>" + Escape(issues::CategoryLabel(o.category)) +
               "</td><td class=\"name\">" + Escape(o.unit_name) + "</td><td>" + Minute(o.due_at) +
               "</td><td>" + Num(o.days_late) + "</td><td>" + kLevels[level] + "</td></tr>\n";
    }
    out += "</tbody></table>\n";
    if (b.overdue_total > static_cast<long long>(b.overdue.size())) {
        out += "<p>另有 " + Num(b.overdue_total - static_cast<long long>(b.overdue.size())) +
               " 个超期问题未列出，详见台账系统。</p>\n";
    }
}

}  // namespace

std::string RenderBulletinHtml(const BulletinData& b, TimePoint generated_at) {
    const Period& p = b.by_unit.period;
    const std::string period = p.from == p.to ? p.from : p.from + " 至 " + p.to;
    std::string out;
    out.reserve(16 * 1024 + b.overdue.size() * 256);
    out +=
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
        "大气污染源问题整改通报（" +
        Escape(period) + "）</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
    out += "<h1>大气污染源问题整改通报</h1>\n<div class=\"meta\">统计期间：" + Escape(period) +
           " · 统计截至：" + Minute(b.by_unit.as_of) + " · 生成时间：" + Minute(generated_at) +
           "</div>\n<hr class=\"red\">\n";
    Totals(out, b);
    RankingSection(out, b.ranking);
    UnitSection(out, b.by_unit);
    OverdueSection(out, b);
    out +=
        "<div class=\"note\"><p>说明：按期整改率＝按期整改数÷期限在本期内的问题数；"
        "销号率＝本期交办问题中已销号数÷本期交办数；返工率＝本期销号问题中曾被退回数÷本期销号数；"
        "超期指已交办、超过整改期限仍未提交整改材料的问题；分母为零时不计算比率（—）。"
        "当场整改问题计入发现、提交与销号，不计入交办、到期与按期整改。</p></div>\n";
    out += "</body>\n</html>\n";
    return out;
}

}  // namespace lantian::reports
