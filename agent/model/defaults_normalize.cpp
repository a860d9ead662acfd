// The JSON side of defaulting: field access tolerant of wrong types, quantity
// canonicalisation, image pull policy, and the omitempty normalisation + key sort
// that make two spellings of one object serialise to the same bytes.
#include <algorithm>
#include <set>
#include <string_view>

#include "agent/model/defaults_internal.h"
#include "agent/model/quantity.h"
#include "agent/model/ascii_class.h"

namespace daemonlet::model::defaults_detail {
namespace {

// Go pointer fields (and a few non-omitempty ones) whose zero value still means
// something: they are never dropped when zero, false, "" or {}.
const std::set<std::string_view>& keptWhenZero() {
  static const std::set<std::string_view> kKeys = {
      // apps/v1
      "selector", "rollingUpdate", "maxUnavailable", "maxSurge", "revisionHistoryLimit",
      // pod spec pointers
      "terminationGracePeriodSeconds", "activeDeadlineSeconds", "automountServiceAccountToken", "securityContext",
      "affinity", "priority", "shareProcessNamespace", "runtimeClassName", "enableServiceLinks", "preemptionPolicy",
      "setHostnameAsFQDN", "hostUsers", "dnsConfig", "os", "nodeAffinity", "podAffinity", "podAntiAffinity",
      "requiredDuringSchedulingIgnoredDuringExecution",
      // container pointers and non-omitempty numbers
      "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "postStart", "preStop", "restartPolicy",
      "containerPort", "port", "weight", "exec", "httpGet", "tcpSocket", "grpc", "sleep", "service",
      "valueFrom", "fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "configMapRef", "secretRef",
      "divisor", "mountPropagation", "recursiveReadOnly",
      // security contexts
      "privileged", "allowPrivilegeEscalation", "runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem",
      "capabilities", "seLinuxOptions", "seccompProfile", "appArmorProfile", "windowsOptions", "procMount", "fsGroup",
      "fsGroupChangePolicy", "supplementalGroupsPolicy", "type",
      // tolerations and volumes
      "tolerationSeconds", "defaultMode", "mode", "optional", "sizeLimit", "emptyDir", "hostPath", "gitRepo",
      "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi", "glusterfs", "flocker",
      "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc", "azureFile", "vsphereVolume",
      "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO", "configMap", "csi",
      "ephemeral", "image", "flexVolume"};
  return kKeys;
}

// Maps from string to string or quantity: their entries are data, not fields.
const std::set<std::string_view>& stringMaps() {
  static const std::set<std::string_view> kKeys = {"labels",   "annotations", "nodeSelector", "matchLabels",
                                                   "limits",   "requests",    "overhead",     "volumeAttributes",
                                                   "options",  "data",        "capacity"};
  return kKeys;
}

bool isZero(const Json& v) {
  if (v.is_null()) return true;
  if (v.is_boolean()) return !v.get<bool>();
  if (v.is_string()) return v.get<std::string>().empty();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>() == 0;
  if (v.is_number_float()) return v.get<double>() == 0.0;
  if (v.is_array() || v.is_object()) return v.empty();
  return false;
}

Json normalized(const Json& v);

Json normalizedObject(const Json& obj) {
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  Json out = Json::object();
  for (const auto& k : keys) {
    const Json& value = obj.at(k);
    if (value.is_null()) continue;
    Json nv;
    if (stringMaps().count(k) != 0 && value.is_object()) {
      nv = Json::object();  // keep entries as they are, sorted
      std::vector<std::string> mapKeys;
      for (auto it = value.begin(); it != value.end(); ++it) mapKeys.push_back(it.key());
      std::sort(mapKeys.begin(), mapKeys.end());
      for (const auto& mk : mapKeys) nv[mk] = value.at(mk);
    } else {
      nv = normalized(value);
    }
    if (keptWhenZero().count(k) == 0 && isZero(nv)) continue;
    out[k] = std::move(nv);
  }
  return out;
}

Json normalized(const Json& v) {
  if (v.is_object()) return normalizedObject(v);
  if (v.is_array()) {
    Json out = Json::array();
    for (const auto& e : v) out.push_back(e.is_object() || e.is_array() ? normalized(e) : e);
    return out;
  }
  return v;
}


// One path component of a Docker reference: [a-z0-9]+(([._]|__|-+)[a-z0-9]+)*
bool validPathComponent(std::string_view s) {
  if (s.empty() || !isAsciiLowerAlnum(s.front()) || !isAsciiLowerAlnum(s.back())) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (isAsciiLowerAlnum(c) || c == '-') continue;
    if (c == '.' || c == '_') {
      if (c == '_' && i + 1 < s.size() && s[i + 1] == '_') { ++i; }
      if (i + 1 < s.size() && !isAsciiLowerAlnum(s[i + 1])) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool validTag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

}  // namespace

bool isUnset(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null();
}

void defaultString(Json& obj, const char* key, const char* value) {
  if (isUnset(obj, key) || (obj[key].is_string() && obj[key].get<std::string>().empty())) obj[key] = value;
}

Json* objectField(Json& obj, const char* key, bool create) {
  if (!obj.is_object()) return nullptr;
  if (isUnset(obj, key)) {
    if (!create) return nullptr;
    obj[key] = Json::object();
  }
  Json& v = obj[key];
  return v.is_object() ? &v : nullptr;
}

Json* arrayField(Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return (it != obj.end() && it->is_array()) ? &*it : nullptr;
}

void canonicalizeQuantity(Json& value) {
  std::string text;
  if (value.is_string()) text = value.get<std::string>();
  else if (value.is_number()) text = value.dump();
  else return;
  if (auto q = Quantity::parse(text)) value = q->canonical();
}

void canonicalizeResourceList(Json& list) {
  if (!list.is_object()) return;
  for (auto it = list.begin(); it != list.end(); ++it) canonicalizeQuantity(*it);
}

void normalize(Json& object) { object = normalized(object); }

std::string defaultPullPolicy(const std::string& image) {
  // parsers.ParseImageName: an unparsable reference yields no tag -> IfNotPresent;
  // no tag and no digest means "latest".
  std::string_view rest = image;
  bool hasDigest = false;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    hasDigest = true;
    rest = rest.substr(0, at);
  }
  std::string_view tag;
  const auto slash = rest.rfind('/');
  const auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!validTag(tag)) return "IfNotPresent";
  }
  if (rest.empty()) return "IfNotPresent";
  // The first component is a registry domain when it looks like one.
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto s = rest.find('/', start);
    parts.push_back(rest.substr(start, s == std::string_view::npos ? std::string_view::npos : s - start));
    if (s == std::string_view::npos) break;
    start = s + 1;
  }
  std::size_t first = 0;
  if (parts.size() > 1) {
    const auto d = parts[0];
    const bool domain = d.find('.') != std::string_view::npos || d.find(':') != std::string_view::npos ||
                        d == "localhost" || std::any_of(d.begin(), d.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (domain) first = 1;
  }
  for (std::size_t i = first; i < parts.size(); ++i)
    if (!validPathComponent(parts[i])) return "IfNotPresent";
  if (tag.empty() && !hasDigest) tag = "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

}  // namespace daemonlet::model::defaults_detail
