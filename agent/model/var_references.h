#pragma once
// Kubernetes' $(VAR) references in env values, command and args
// (third_party/forked/golang/expansion): $(NAME) becomes the variable's value,
// "$$" a "$", and a reference to an undefined name stays as written. One home
// for the rule: the reconciler resolves a container's env with it, and the CRI
// mapping again once the pod's IP is known.
#include <map>
#include <string>

namespace daemonlet::model {

std::string expandReferences(const std::string& input, const std::map<std::string, std::string>& vars);

}  // namespace daemonlet::model
