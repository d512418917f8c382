#include <cstdio>

#include "reports/report_table.hpp"

namespace lantian::reports {

namespace {

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
void AppendField(std::string& out, const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out += field;
        return;
    }
    out += '"';
    for (const char ch : field) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
}

std::string Format(const Cell& cell) {
    char buf[64];
    switch (cell.kind) {
        case Cell::Kind::kEmpty:
            return "";
        case Cell::Kind::kText:
            return cell.text;
        case Cell::Kind::kCount:
            std::snprintf(buf, sizeof buf, "%.0f", cell.number);
            return buf;
        case Cell::Kind::kRate:
            std::snprintf(buf, sizeof buf, "%.2f%%", cell.number * 100);
            return buf;
        case Cell::Kind::kDecimal:
            std::snprintf(buf, sizeof buf, "%.1f", cell.number);
            return buf;
    }
    return "";
}

}  // namespace

std::string ToCsv(const Table& table) {
    std::string out = "\xEF\xBB\xBF";
    for (size_t i = 0; i < table.columns.size(); ++i) {
        if (i > 0) out += ',';
        AppendField(out, table.columns[i].heading);
    }
    out += "\r\n";
    for (const auto& row : table.rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            if (i > 0) out += ',';
            AppendField(out, Format(row[i]));
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace lantian::reports
