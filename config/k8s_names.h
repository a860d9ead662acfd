#pragma once
// The Kubernetes syntax checks the configuration needs (label keys and values,
// taint keys, the node name), written here so config/ does not depend on the
// model's validation internals. Same rules as k8s.io/apimachinery's
// util/validation: each function returns the reasons a value is invalid (empty
// when valid), in words an operator can act on.
#include <string>
#include <string_view>
#include <vector>

namespace daemonlet::config {

// A label key or taint key: an optional DNS-subdomain prefix and '/', then a name
// of at most 63 alphanumerics, '-', '_', '.' starting and ending alphanumeric.
std::vector<std::string> qualifiedNameErrors(std::string_view value);

// A label value: empty, or at most 63 characters of the name alphabet above.
std::vector<std::string> labelValueErrors(std::string_view value);

// A lowercase RFC 1123 subdomain of at most 253 characters (node names).
std::vector<std::string> dns1123SubdomainErrors(std::string_view value);

}  // namespace daemonlet::config
