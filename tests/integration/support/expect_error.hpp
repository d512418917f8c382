#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace lantian::itest {

/// The Error `call` throws, or nullopt (with a test failure) when it returns normally.
template <typename Call>
std::optional<Error> ErrorFrom(Call&& call) {
    try {
        call();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "expected an lantian::Error, but the call succeeded";
    return std::nullopt;
}

/// The fields an Error names, in order.
inline std::vector<std::string> FieldsOf(const Error& e) {
    std::vector<std::string> out;
    for (const auto& f : e.fields()) out.push_back(f.field);
    return out;
}

}  // namespace lantian::itest
