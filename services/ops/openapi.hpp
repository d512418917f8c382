#pragma once

#include <span>
#include <string_view>

#include "common/embedded_file.hpp"

namespace lantian::ops {

/// proto/openapi.yaml, embedded at build time.
std::span<const EmbeddedFile> EmbeddedContract();

inline std::string_view OpenApiYaml() {
    return EmbeddedContract().front().content;
}

}  // namespace lantian::ops
