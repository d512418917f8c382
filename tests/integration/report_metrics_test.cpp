// The report metrics are declared once (reports/report.hpp: Metric, kMetrics, the names of
// report.cpp). The schema's aggregates — report_daily, its rollup report_daily_unit, the view
// that recomputes them and report_facts() that defines them — must hold exactly the declared
// columns, so a metric added in one place and not the others fails here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/report.hpp"
#include "support/scratch_database.hpp"

namespace lantian::reports {
namespace {

class ReportMetrics : public itest::DatabaseTest {
protected:
    /// The columns of a table or view, in order, without the leading key columns.
    std::vector<std::string> ValueColumns(const std::string& relation, int keys) {
        const std::string list = QueryValue(
            "select string_agg(attname, ',' order by attnum) from pg_attribute "
            "where attrelid = '" +
            relation + "'::regclass and attnum > " + std::to_string(keys) +
            " and not attisdropped");
        return Split(list);
    }
    static std::vector<std::string> Split(const std::string& list) {
        std::vector<std::string> out;
        size_t start = 0;
        while (start <= list.size()) {
            const size_t comma = list.find(',', start);
            out.push_back(list.substr(start, comma - start));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return out;
    }
};

TEST_F(ReportMetrics, TheAggregatesHoldExactlyTheDeclaredMetricColumns) {
    const std::vector<std::string> declared = AggregateColumns();
    ASSERT_EQ(declared.size(), kMetrics.size()) << "every metric but overdue, and the seconds";
    // report_daily: day, unit, subdistrict, category, site kind; the rollup: day, unit.
    EXPECT_EQ(ValueColumns("report_daily", 5), declared);
    EXPECT_EQ(ValueColumns("report_daily_recomputed", 5), declared);
    EXPECT_EQ(ValueColumns("report_daily_unit", 2), declared);
    // report_facts() returns the same columns after the same five keys.
    const std::string facts =
        QueryValue("select array_to_string(proargnames[array_length(proargnames, 1) - " +
                   std::to_string(declared.size()) +
                   " + 1 : array_length(proargnames, 1)], ',') "
                   "from pg_proc where proname = 'report_facts'");
    EXPECT_EQ(Split(facts), declared);
}

TEST_F(ReportMetrics, EveryMetricHasANameALabelAndParsesBack) {
    for (const Metric m : kMetrics) {
        SCOPED_TRACE(std::string(MetricName(m)));
        EXPECT_FALSE(MetricName(m).empty());
        EXPECT_FALSE(MetricLabel(m).empty());
        EXPECT_EQ(ParseMetric(MetricName(m)), m);
    }
}

}  // namespace
}  // namespace lantian::reports
