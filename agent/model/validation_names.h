#pragma once
// Kubernetes name and label syntax (k8s.io/apimachinery util/validation), with
// its messages. Each returns the reasons a value is invalid, empty when valid.
// One home for the manifests' validation, the agent's configuration and the
// node-affinity requirements of placement.
#include <string>
#include <string_view>
#include <vector>

namespace daemonlet::model {

// [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
std::vector<std::string> isDns1123Label(std::string_view v);
// Dot-separated DNS-1123 labels, at most 253 characters (node names, namespaces).
std::vector<std::string> isDns1123Subdomain(std::string_view v);
// A label or taint key: an optional DNS-subdomain prefix and '/', then a name of
// at most 63 alphanumerics, '-', '_', '.' starting and ending alphanumeric.
std::vector<std::string> isQualifiedName(std::string_view v);
// Empty, or at most 63 characters of the name alphabet above.
std::vector<std::string> isValidLabelValue(std::string_view v);

}  // namespace daemonlet::model
