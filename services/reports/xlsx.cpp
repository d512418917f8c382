#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "reports/report_table.hpp"

namespace lantian::reports {

namespace {

// libxlsxwriter writes to a file: one of our own, removed whatever happens.
class TempFile {
public:
    TempFile() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "lantian-report-XXXXXX.xlsx").string();
        const int fd = mkstemps(pattern.data(), 5);
        if (fd < 0) throw std::runtime_error("cannot create a temporary file for the workbook");
        ::close(fd);
        path_ = pattern;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

void Check(lxw_error error, const char* what) {
    if (error != LXW_NO_ERROR) {
        throw std::runtime_error(std::string(what) + ": " + lxw_strerror(error));
    }
}

}  // namespace

std::string ToXlsx(const Table& table) {
    TempFile file;
    lxw_workbook* book = workbook_new(file.path().c_str());
    if (book == nullptr) throw std::runtime_error("cannot start the workbook");
    lxw_doc_properties properties{};
    std::string title = table.title;
    std::string company = "蓝天 · 大气污染源巡查台账";
    properties.title = title.data();
    properties.company = company.data();
    workbook_set_properties(book, &properties);

    lxw_worksheet* sheet = workbook_add_worksheet(book, table.sheet.c_str());
    lxw_format* header = workbook_add_format(book);
    format_set_bold(header);
    format_set_bg_color(header, 0xDCE6F1);
    format_set_border(header, LXW_BORDER_THIN);
    format_set_align(header, LXW_ALIGN_CENTER);
    format_set_text_wrap(header);
    lxw_format* percent = workbook_add_format(book);
    format_set_num_format(percent, "0.00%");
    lxw_format* decimal = workbook_add_format(book);
    format_set_num_format(decimal, "0.0");
    lxw_format* total_text = workbook_add_format(book);
    format_set_bold(total_text);
    lxw_format* total_percent = workbook_add_format(book);
    format_set_bold(total_percent);
    format_set_num_format(total_percent, "0.00%");
    lxw_format* total_decimal = workbook_add_format(book);
    format_set_bold(total_decimal);
    format_set_num_format(total_decimal, "0.0");

    for (size_t c = 0; c < table.columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c);
        worksheet_set_column(sheet, col, col, table.columns[c].width, nullptr);
        worksheet_write_string(sheet, 0, col, table.columns[c].heading.c_str(), header);
    }
    worksheet_freeze_panes(sheet, 1, 0);
    for (size_t r = 0; r < table.rows.size(); ++r) {
        const auto row = static_cast<lxw_row_t>(r + 1);
        const bool total = table.last_row_is_total && r + 1 == table.rows.size();
        for (size_t c = 0; c < table.rows[r].size(); ++c) {
            const Cell& cell = table.rows[r][c];
            const auto col = static_cast<lxw_col_t>(c);
            switch (cell.kind) {
                case Cell::Kind::kEmpty:
                    break;
                case Cell::Kind::kText:
                    worksheet_write_string(sheet, row, col, cell.text.c_str(),
                                           total ? total_text : nullptr);
                    break;
                case Cell::Kind::kCount:
                    worksheet_write_number(sheet, row, col, cell.number,
                                           total ? total_text : nullptr);
                    break;
                case Cell::Kind::kRate:
                    worksheet_write_number(sheet, row, col, cell.number,
                                           total ? total_percent : percent);
                    break;
                case Cell::Kind::kDecimal:
                    worksheet_write_number(sheet, row, col, cell.number,
                                           total ? total_decimal : decimal);
                    break;
            }
        }
    }
    Check(workbook_close(book), "cannot write the workbook");

    std::ifstream in(file.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) throw std::runtime_error("cannot read the workbook back");
    return bytes.str();
}

}  // namespace lantian::reports
