#include "config/config_schema.h"

#include <span>
#include <string_view>

#include "config/agent_config.h"

namespace daemonlet::config {
namespace {

enum class Shape {
  kString,
  kDuration,  // Go duration string: "10s"
  kQuantity,  // Kubernetes quantity: "10Mi" or an integer
  kInteger,
  kNumber,
  kBoolean,
  kStringMap,  // map of string to string (labels)
  kObject,
  kObjectList,
  kRemoved,  // a field of an earlier version: refused, saying what replaced it
};

struct FieldSpec {
  std::string_view name;
  Shape shape;
  std::span<const FieldSpec> children = {};  // kObject and kObjectList
  std::string_view replacedBy = {};          // kRemoved
};

constexpr FieldSpec kTaintFields[] = {
    {"key", Shape::kString},
    {"value", Shape::kString},
    {"effect", Shape::kString},
};
constexpr FieldSpec kNodeFields[] = {
    {"name", Shape::kString},
    {"labels", Shape::kStringMap},
    {"taints", Shape::kObjectList, kTaintFields},
};
constexpr FieldSpec kBackoffFields[] = {
    {"initial", Shape::kDuration},
    {"max", Shape::kDuration},
    {"resetAfter", Shape::kDuration},
    {"multiplier", Shape::kNumber},
};
constexpr FieldSpec kContainerLogFields[] = {
    {"maxSize", Shape::kQuantity},
    {"maxFiles", Shape::kInteger},
};
constexpr FieldSpec kEndpointBackoffFields[] = {
    {"initial", Shape::kDuration},
    {"max", Shape::kDuration},
};
constexpr FieldSpec kTlsFields[] = {
    {"caFile", Shape::kString},
    {"certFile", Shape::kString},
    {"keyFile", Shape::kString},
    {"pinnedPublicKey", Shape::kString},
};
constexpr FieldSpec kKubernetesFields[] = {
    {"namespace", Shape::kString},
    {"labelSelector", Shape::kString},
    {"followNode", Shape::kBoolean},
};
constexpr FieldSpec kEndpointFields[] = {
    {"url", Shape::kString},
    {"mode", Shape::kString},
    {"pollInterval", Shape::kDuration},
    {"pollJitter", Shape::kNumber},
    {"connectTimeout", Shape::kDuration},
    {"requestTimeout", Shape::kDuration},
    {"maxBodySize", Shape::kQuantity},
    {"backoff", Shape::kObject, kEndpointBackoffFields},
    {"tls", Shape::kObject, kTlsFields},
    {"bearerTokenFile", Shape::kString},
    {"kubernetes", Shape::kObject, kKubernetesFields},
};
constexpr FieldSpec kReportsFields[] = {
    {"url", Shape::kString},
    {"interval", Shape::kDuration},
    {"debounce", Shape::kDuration},
};
constexpr FieldSpec kCriFields[] = {
    {"endpoint", Shape::kString},
    {"registryCredentialsFile", Shape::kString},
    {"loadAtStart", Shape::kBoolean},
};
constexpr FieldSpec kRootFields[] = {
    {"apiVersion", Shape::kString},
    {"kind", Shape::kString},
    {"node", Shape::kObject, kNodeFields},
    {"manifestDir", Shape::kString},
    {"stateDir", Shape::kString},
    {"logDir", Shape::kString},
    {"runDir", Shape::kString},
    {"listen", Shape::kString},
    {"cri", Shape::kObject, kCriFields},
    {"defaultRuntime", Shape::kRemoved, {}, kDefaultRuntimeRemoved},
    {"containerRuntimeEndpoint", Shape::kRemoved, {}, "cri.endpoint replaced it"},
    {"cgroupRoot", Shape::kString},
    {"restartBackoff", Shape::kObject, kBackoffFields},
    {"containerLogs", Shape::kObject, kContainerLogFields},
    {"resyncPeriod", Shape::kDuration},
    {"logLevel", Shape::kString},
    {"endpoint", Shape::kObject, kEndpointFields},
    {"reports", Shape::kObject, kReportsFields},
};

std::string typeMismatch(const model::Json& value, std::string_view expected) {
  return "Invalid type: expected " + std::string(expected) + ", got " + value.type_name();
}

void checkObject(const model::Json& object, std::span<const FieldSpec> fields, const FieldPath& at,
                 FieldProblems& out);

void checkValue(const model::Json& value, const FieldSpec& spec, const FieldPath& path, FieldProblems& out) {
  if (value.is_null()) return;
  switch (spec.shape) {
    case Shape::kRemoved:
      out.push_back({path, "field removed: " + std::string(spec.replacedBy)});
      break;
    case Shape::kString:
      if (!value.is_string()) out.push_back({path, typeMismatch(value, "string")});
      break;
    case Shape::kDuration:
      if (!value.is_string()) {
        out.push_back({path, typeMismatch(value, "a duration string such as \"10s\", \"5m\" or \"1h30m\"")});
      }
      break;
    case Shape::kQuantity:
      if (!value.is_string() && !value.is_number_integer()) {
        out.push_back({path, typeMismatch(value, "a quantity such as \"10Mi\"")});
      }
      break;
    case Shape::kInteger:
      if (!value.is_number_integer()) out.push_back({path, typeMismatch(value, "integer")});
      break;
    case Shape::kNumber:
      if (!value.is_number()) out.push_back({path, typeMismatch(value, "number")});
      break;
    case Shape::kBoolean:
      if (!value.is_boolean()) out.push_back({path, typeMismatch(value, "boolean (true or false)")});
      break;
    case Shape::kStringMap:
      if (!value.is_object()) {
        out.push_back({path, typeMismatch(value, "a map of strings")});
        break;
      }
      for (const auto& [key, entry] : value.items()) {
        if (!entry.is_string()) {
          out.push_back(
              {path.key(key), typeMismatch(entry, "string (quote values such as \"true\" or \"1\")")});
        }
      }
      break;
    case Shape::kObject:
      if (!value.is_object()) {
        out.push_back({path, typeMismatch(value, "object")});
        break;
      }
      checkObject(value, spec.children, path, out);
      break;
    case Shape::kObjectList:
      if (!value.is_array()) {
        out.push_back({path, typeMismatch(value, "list")});
        break;
      }
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_object()) {
          out.push_back({path.index(i), typeMismatch(value[i], "object")});
        } else {
          checkObject(value[i], spec.children, path.index(i), out);
        }
      }
      break;
  }
}

void checkObject(const model::Json& object, std::span<const FieldSpec> fields, const FieldPath& at,
                 FieldProblems& out) {
  for (const auto& [key, value] : object.items()) {
    const FieldSpec* spec = nullptr;
    for (const FieldSpec& candidate : fields) {
      if (candidate.name == key) spec = &candidate;
    }
    if (spec == nullptr) {
      std::string known;
      for (const FieldSpec& candidate : fields)
        known += (known.empty() ? "" : ", ") + std::string(candidate.name);
      out.push_back({at.child(key), "unknown field (known fields here: " + known + ")"});
      continue;
    }
    checkValue(value, *spec, at.child(key), out);
  }
}

}  // namespace

FieldProblems checkDocumentShape(const model::Json& document) {
  FieldProblems out;
  const FieldPath root;
  if (!document.is_object()) {
    out.push_back({root, "expected a mapping with apiVersion: " + std::string(kConfigApiVersion) +
                             " and kind: " + std::string(kConfigKind) + ", got " +
                             (document.is_null() ? std::string("an empty document") : document.type_name())});
    return out;
  }
  // apiVersion and kind come first: with the wrong ones the other fields mean nothing.
  const auto checkIdentity = [&](std::string_view field, std::string_view expected) {
    const auto it = document.find(std::string(field));
    if (it == document.end() || it->is_null() || (it->is_string() && it->get<std::string>().empty())) {
      out.push_back({root.child(field), requiredValue()});
    } else if (!it->is_string()) {
      out.push_back({root.child(field), typeMismatch(*it, "string")});
    } else if (it->get<std::string>() != expected) {
      out.push_back({root.child(field), unsupportedValue(it->get<std::string>(), {expected})});
    }
  };
  checkIdentity("apiVersion", kConfigApiVersion);
  checkIdentity("kind", kConfigKind);
  if (!out.empty()) return out;
  checkObject(document, kRootFields, root, out);
  return out;
}

}  // namespace daemonlet::config
