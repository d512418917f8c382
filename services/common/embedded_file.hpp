#pragma once

#include <span>
#include <string_view>

namespace lantian {

/// A text file compiled into the binary (migrations, seed data, the API contract, the
/// dashboard), so one executable carries everything it needs.
struct EmbeddedFile {
    std::string_view path;  // relative to its source folder
    std::string_view content;
};

}  // namespace lantian
