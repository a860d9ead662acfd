#pragma once
// Internal to daemonlet_outbound: how libcurl's result codes map onto the
// FailureKind callers act on. Kept apart so the table is testable and readable.
#include <curl/curl.h>

#include "agent/outbound/http_client.h"

namespace daemonlet::outbound::detail {

FailureKind failureKindFor(CURLcode code);

}  // namespace daemonlet::outbound::detail
