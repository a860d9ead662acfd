#pragma once
// Helpers shared by the decoder tests.
#include <algorithm>
#include <string>

#include "agent/model/decode.h"

namespace daemonlet::model::testing {

inline Document yamlDocument(const std::string& yaml) {
  auto docs = readDocuments(yaml, "ds.yaml");
  if (!docs || docs->empty()) return Document{};
  return docs->front();
}

inline bool hasDiagnostic(const Diagnostics& diagnostics, const std::string& path,
                          const std::string& fragment = "") {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return d.fieldPath == path && d.message.find(fragment) != std::string::npos;
  });
}

inline std::string describeAll(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics) out += d.format() + "\n";
  return out;
}

// A small valid apps/v1 DaemonSet; tests append or replace parts.
inline const char* kMinimalDaemonSet =
    "apiVersion: apps/v1\n"
    "kind: DaemonSet\n"
    "metadata:\n"
    "  name: agent\n"
    "  namespace: kube-system\n"
    "spec:\n"
    "  selector:\n"
    "    matchLabels: {app: agent}\n"
    "  template:\n"
    "    metadata:\n"
    "      labels: {app: agent}\n"
    "    spec:\n"
    "      containers:\n"
    "      - name: main\n"
    "        image: example/agent:1.0\n";

}  // namespace daemonlet::model::testing
