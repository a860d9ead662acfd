#pragma once
// Server-side printing: the meta.k8s.io/v1 Table kubectl shows when it asks
// `as=Table`, with the columns (and priority-1 "wide" columns) the API server
// prints for pods, daemonsets, nodes, events and namespaces. Cells are always
// the wide set, in column order; kubectl hides priority-1 columns unless -o wide.
#include <chrono>
#include <string>
#include <vector>

#include "agent/model/types.h"

namespace daemonlet::kubeapi {

model::Json tableColumns(const std::string& resource);
model::Json tableCells(const std::string& resource, const model::Json& object, std::chrono::system_clock::time_point now);

// A Table of `objects`; each row carries the object's metadata
// (PartialObjectMetadata), or the whole object when `includeObject` is "Object".
model::Json table(const std::string& resource, const std::vector<model::Json>& objects, const std::string& includeObject,
                  std::chrono::system_clock::time_point now);

}  // namespace daemonlet::kubeapi
