#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/report.hpp"

namespace lantian::reports {

/// One cell of an exported report: text, a count, a rate (a fraction shown as a percentage),
/// or a decimal; an empty cell stands for "no figure" (a rate over nothing).
struct Cell {
    enum class Kind { kEmpty, kText, kCount, kRate, kDecimal };
    Kind kind = Kind::kEmpty;
    std::string text;
    double number = 0;

    static Cell Text(std::string t) { return {Kind::kText, std::move(t), 0}; }
    static Cell Count(long long n) { return {Kind::kCount, {}, static_cast<double>(n)}; }
    static Cell Rate(std::optional<double> r) { return r ? Cell{Kind::kRate, {}, *r} : Cell{}; }
    static Cell Decimal(std::optional<double> d) {
        return d ? Cell{Kind::kDecimal, {}, *d} : Cell{};
    }
};

struct Column {
    std::string heading;  // Chinese
    int width = 10;       // characters, for spreadsheets
};

/// A report as the table officials read: a header row, one row per group, a totals row.
struct Table {
    std::string title;  // also the file name's stem
    std::string sheet;  // spreadsheet tab name (at most 31 characters)
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;
    bool last_row_is_total = false;
};

Table SummaryTable(const Summary& summary);
Table RankingTable(const Ranking& ranking);

/// UTF-8 with a byte order mark, CRLF rows, RFC 4180 quoting; rates as "85.71%".
std::string ToCsv(const Table& table);
/// An .xlsx workbook (libxlsxwriter): bold frozen header, column widths, rates as percentages.
std::string ToXlsx(const Table& table);

}  // namespace lantian::reports
