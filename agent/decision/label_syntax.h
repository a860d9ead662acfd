#pragma once
// The syntax checks Kubernetes applies when it turns a node-affinity requirement
// into a label selector (k8s.io/apimachinery labels.NewRequirement), plus Go's
// strconv.ParseInt, which decides what "an integer" means for Gt/Lt. Placement
// needs them because a requirement that fails them makes its whole term unusable.
#include <cstdint>
#include <optional>
#include <string_view>

namespace daemonlet::decision {

// A label key: an optional DNS-1123 subdomain prefix and '/', then a name of at
// most 63 characters of [A-Za-z0-9-_.] that starts and ends alphanumeric.
bool isValidLabelKey(std::string_view key);

// A label value: empty, or at most 63 characters shaped like a label-key name.
bool isValidLabelValue(std::string_view value);

// Go's strconv.ParseInt(text, 10, 64): an optional '+' or '-', then one or more
// decimal digits, within int64. No spaces, no underscores, no fractions.
std::optional<std::int64_t> parseGoInt64(std::string_view text);

}  // namespace daemonlet::decision
