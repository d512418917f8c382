#pragma once

#include "evidence/attachment_service.hpp"
#include "http/router.hpp"

namespace lantian::evidence {

/// PUT/GET /api/v1/attachments/{sha256}.
void RegisterAttachmentRoutes(http::Router& router, AttachmentService& service);

}  // namespace lantian::evidence
