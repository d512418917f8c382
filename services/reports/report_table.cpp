#include "reports/report_table.hpp"

namespace lantian::reports {

namespace {

std::string GroupHeading(GroupBy g) {
    switch (g) {
        case GroupBy::kUnit:
            return "责任单位";
        case GroupBy::kCategory:
            return "问题类别";
        case GroupBy::kSiteKind:
            return "点位类型";
        case GroupBy::kSubdistrict:
            return "街道（园区）";
        case GroupBy::kDay:
            return "日期";
    }
    return "分组";
}

std::string GroupTitle(GroupBy g) {
    switch (g) {
        case GroupBy::kUnit:
            return "按责任单位";
        case GroupBy::kCategory:
            return "按问题类别";
        case GroupBy::kSiteKind:
            return "按点位类型";
        case GroupBy::kSubdistrict:
            return "按街道";
        case GroupBy::kDay:
            return "按日";
    }
    return "";
}

std::vector<Cell> CountCells(const Counts& c) {
    return {Cell::Count(c[Metric::kFound]),    Cell::Count(c[Metric::kConfirmed]),
            Cell::Count(c[Metric::kAssigned]), Cell::Count(c[Metric::kSubmitted]),
            Cell::Count(c[Metric::kClosed]),   Cell::Count(c[Metric::kDue]),
            Cell::Count(c[Metric::kOnTime]),   Cell::Rate(c.OnTimeRate()),
            Cell::Rate(c.ClosureRate()),       Cell::Rate(c.ReworkRate()),
            Cell::Count(c[Metric::kOverdue]),  Cell::Decimal(c.MeanHoursToRectify())};
}

}  // namespace

Table SummaryTable(const Summary& s) {
    Table t;
    t.title =
        "问题整改汇总表（" + GroupTitle(s.group_by) + "）" + s.period.from + "至" + s.period.to;
    t.sheet = "汇总表";
    t.columns = {{GroupHeading(s.group_by), 22},
                 {"发现问题", 10},
                 {"确认", 8},
                 {"交办", 8},
                 {"提交整改", 10},
                 {"销号", 8},
                 {"到期", 8},
                 {"按期整改", 10},
                 {"按期整改率", 12},
                 {"销号率", 10},
                 {"返工率", 10},
                 {"期末超期", 10},
                 {"平均整改时长（小时）", 20}};
    for (const auto& row : s.rows) {
        std::vector<Cell> cells{Cell::Text(row.label)};
        for (auto& c : CountCells(row.counts)) cells.push_back(std::move(c));
        t.rows.push_back(std::move(cells));
    }
    std::vector<Cell> total{Cell::Text("合计")};
    for (auto& c : CountCells(s.totals)) total.push_back(std::move(c));
    t.rows.push_back(std::move(total));
    t.last_row_is_total = true;
    return t;
}

Table RankingTable(const Ranking& r) {
    Table t;
    t.title = "街道按期整改排名 " + r.period.from + "至" + r.period.to;
    t.sheet = "排名";
    t.columns = {{"名次", 6},      {"街道（园区）", 22}, {"到期", 8},
                 {"按期整改", 10}, {"按期整改率", 12},   {"期末超期", 10},
                 {"督办", 8},      {"约谈", 8},          {"问责", 8}};
    for (const auto& row : r.rows) {
        t.rows.push_back(
            {Cell::Count(row.rank), Cell::Text(row.unit_name),
             Cell::Count(row.counts[Metric::kDue]), Cell::Count(row.counts[Metric::kOnTime]),
             Cell::Rate(row.counts.OnTimeRate()), Cell::Count(row.counts[Metric::kOverdue]),
             Cell::Count(row.escalations.level[0]), Cell::Count(row.escalations.level[1]),
             Cell::Count(row.escalations.level[2])});
    }
    return t;
}

}  // namespace lantian::reports
