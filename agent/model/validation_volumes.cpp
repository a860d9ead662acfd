// Pod volumes (ValidateVolumes, validateVolumeSource): unique DNS-1123 names,
// exactly one source, and the source rules for the kinds a daemon commonly uses.
#include <algorithm>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

// validateVolumeSource checks sources in this order; the second one found is the
// one reported as Forbidden.
const std::vector<std::string>& sourceOrder() {
  static const std::vector<std::string> kOrder = {
      "emptyDir",  "hostPath",      "gitRepo",      "gcePersistentDisk", "awsElasticBlockStore", "secret",
      "nfs",       "iscsi",         "glusterfs",    "flocker",           "persistentVolumeClaim", "rbd",
      "cinder",    "cephfs",        "quobyte",      "downwardAPI",       "fc",                   "azureFile",
      "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected",
      "scaleIO",   "configMap",     "csi",          "ephemeral",         "image",                "flexVolume"};
  return kOrder;
}

std::vector<std::string> orderedKinds(const std::vector<std::string>& kinds) {
  std::vector<std::string> ordered;
  for (const auto& k : sourceOrder())
    if (std::find(kinds.begin(), kinds.end(), k) != kinds.end()) ordered.push_back(k);
  for (const auto& k : kinds)
    if (std::find(ordered.begin(), ordered.end(), k) == ordered.end()) ordered.push_back(k);
  return ordered;
}

std::string rawString(const Json& obj, const char* name) {
  if (!obj.is_object()) return {};
  auto it = obj.find(name);
  return (it != obj.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

void validateFileMode(const Json& obj, const char* name, const std::string& path, FieldErrors& out) {
  if (!obj.is_object()) return;
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_number_integer()) return;
  const std::int64_t mode = it->get<std::int64_t>();
  if (mode < 0 || mode > 0777)
    out.push_back(invalid(child(path, name), renderInt(mode),
                          "must be a number between 0 and 0777 (octal), both inclusive"));
}

void validateHostPath(const HostPathVolumeSource& hp, const std::string& path, FieldErrors& out) {
  if (hp.path.empty()) {
    out.push_back(required(child(path, "path")));
    return;
  }
  std::size_t start = 0;
  while (true) {
    std::size_t slash = hp.path.find_first_of("/\\", start);
    if (hp.path.substr(start, slash == std::string::npos ? std::string::npos : slash - start) == "..") {
      out.push_back(invalid(child(path, "path"), quote(hp.path), "must not contain '..'"));
      break;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  static const std::vector<std::string> kTypes = {"",     "BlockDevice",  "CharDevice", "Directory",
                                                  "DirectoryOrCreate", "File", "FileOrCreate", "Socket"};
  if (std::find(kTypes.begin(), kTypes.end(), hp.type) == kTypes.end())
    out.push_back(notSupported(child(path, "type"), quote(hp.type), kTypes));
}

void validateSource(const Volume& v, const std::string& kind, const std::string& path, FieldErrors& out) {
  const std::string sp = child(path, kind);
  const Json source = v.raw.is_object() && v.raw.contains(kind) ? v.raw.at(kind) : Json();
  if (kind == "hostPath" && v.hostPath) {
    validateHostPath(*v.hostPath, sp, out);
  } else if (kind == "emptyDir" && v.emptyDir) {
    if (v.emptyDir->sizeLimit && v.emptyDir->sizeLimit->isNegative())
      out.push_back(forbidden(child(sp, "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
  } else if (kind == "configMap") {
    if (rawString(source, "name").empty()) out.push_back(required(child(sp, "name")));
    validateFileMode(source, "defaultMode", sp, out);
  } else if (kind == "secret") {
    if (rawString(source, "secretName").empty()) out.push_back(required(child(sp, "secretName")));
    validateFileMode(source, "defaultMode", sp, out);
  } else if (kind == "persistentVolumeClaim") {
    if (rawString(source, "claimName").empty()) out.push_back(required(child(sp, "claimName")));
  } else if (kind == "downwardAPI" || kind == "projected") {
    validateFileMode(source, "defaultMode", sp, out);
  }
}

}  // namespace

std::set<std::string> validateVolumes(const std::vector<Volume>& volumes, const std::string& path, FieldErrors& out) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < volumes.size(); ++i) {
    const Volume& v = volumes[i];
    const std::string idx = index(path, i);
    FieldErrors errs;
    const std::vector<std::string> kinds = orderedKinds(v.sourceKinds);
    if (kinds.empty()) {
      errs.push_back(required(idx, "must specify a volume type"));
    } else {
      validateSource(v, kinds[0], idx, errs);
      for (std::size_t k = 1; k < kinds.size(); ++k)
        errs.push_back(forbidden(child(idx, kinds[k]), "may not specify more than 1 volume type"));
    }
    const std::string namePath = child(idx, "name");
    if (v.name.empty()) errs.push_back(required(namePath));
    else validateDns1123Label(v.name, namePath, errs);
    if (names.count(v.name) != 0) errs.push_back(duplicate(namePath, quote(v.name)));
    // A volume with errors is not registered, so mounts of it also fail (as in Kubernetes).
    if (errs.empty()) names.insert(v.name);
    else out.insert(out.end(), errs.begin(), errs.end());
  }
  return names;
}

}  // namespace daemonlet::model::validation_detail
