#pragma once
// One metav1.StatusCause of a 422 Invalid answer (errors.NewInvalid): what a
// field.Error becomes.
#include <string>

namespace daemonlet::kubeapi {

struct FieldCause {
  std::string reason;   // the field.ErrorType: "FieldValueNotSupported", "FieldValueInvalid"
  std::string message;  // its body: "Unsupported value: \"Eventually\": supported values: ..."
  std::string field;    // its path: "propagationPolicy"
};

}  // namespace daemonlet::kubeapi
