#pragma once
// Kubernetes' apps/v1 DaemonSet validation, including the pod-template rules the
// API server applies (a static HTTP source has no API server in front of it).
// Every error is collected, each with its field path, in the wording of
// k8s.io/apimachinery/pkg/util/validation/field.
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::model {

struct FieldError {
  enum class Type { kRequired, kInvalid, kNotSupported, kDuplicate, kForbidden, kTooLong, kTooMany, kNotFound };
  Type type = Type::kInvalid;
  std::string field;     // "spec.template.spec.containers[0].name"
  std::string badValue;  // rendered as Kubernetes does; empty for Required/Forbidden
  std::string detail;

  // Kubernetes' field.Error.Error(): `spec.selector: Required value`,
  // `spec.x: Invalid value: "v": detail`, `spec.x: Unsupported value: "v": supported values: "a", "b"`.
  std::string toString() const;
};
using FieldErrors = std::vector<FieldError>;

// Expects applyDefaults() to have run on the object the DaemonSet was decoded from.
FieldErrors validateDaemonSet(const DaemonSet& daemonSet);

}  // namespace daemonlet::model
