#pragma once
// The shape of one configuration document (the file or a drop-in), checked before
// any merge so every unknown field or wrong type is reported against the file that
// holds it. Strict like kubelet's config loading: an unknown field is an error, not
// a warning, because a misspelt setting silently left at its default is worse than
// an agent that refuses to start.
#include "agent/model/types.h"
#include "config/field_path.h"

namespace daemonlet::config {

// Checks apiVersion and kind (required, exact), that every field is known, and
// that each value has the JSON type its field takes. Null is accepted for any
// field and means "unset" (the default, or the value of an earlier file).
FieldProblems checkDocumentShape(const model::Json& document);

}  // namespace daemonlet::config
