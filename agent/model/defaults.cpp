// apps/v1 and core/v1 defaulting on the JSON object (pkg/apis/apps/v1/defaults.go,
// pkg/apis/core/v1/defaults.go), then the normalisation that makes explicit zero
// values and absent fields one thing for the revision hash.
#include "agent/model/defaults.h"

#include "agent/model/defaults_internal.h"
#include "agent/model/pod_rules.h"

namespace daemonlet::model {
namespace {

using namespace defaults_detail;

void defaultHttpGet(Json& handler) {
  Json* http = objectField(handler, "httpGet", false);
  if (!http) return;
  defaultString(*http, "path", "/");
  defaultString(*http, "scheme", "HTTP");
}

void defaultInt(Json& obj, const char* key, int value) {
  if (isUnset(obj, key) || (obj[key].is_number_integer() && obj[key].get<std::int64_t>() == 0)) obj[key] = value;
}

void defaultProbe(Json& container, const char* key) {
  Json* probe = objectField(container, key, false);
  if (!probe) return;
  defaultInt(*probe, "timeoutSeconds", 1);
  defaultInt(*probe, "periodSeconds", 10);
  defaultInt(*probe, "successThreshold", 1);
  defaultInt(*probe, "failureThreshold", 3);
  defaultHttpGet(*probe);
}

void defaultFieldRef(Json& holder) {
  if (Json* ref = objectField(holder, "fieldRef", false)) defaultString(*ref, "apiVersion", "v1");
}

void defaultResources(Json& container) {
  Json* resources = objectField(container, "resources", false);
  if (!resources) return;
  // Create "requests" before taking pointers: inserting into an ordered_json
  // object moves its other members.
  const bool hasLimits = !isUnset(*resources, "limits");
  objectField(*resources, "requests", hasLimits);
  Json* limits = objectField(*resources, "limits", false);
  Json* requests = objectField(*resources, "requests", false);
  if (limits) canonicalizeResourceList(*limits);
  if (requests) canonicalizeResourceList(*requests);
  // SetDefaults_Pod: a limit without a request also requests that much. Kubernetes
  // applies this to the pods it creates from the template; doing it here makes
  // the hash blind to the difference, as the running pods are.
  if (!limits || !requests) return;
  for (auto it = limits->begin(); it != limits->end(); ++it) {
    if (!requests->contains(it.key())) {
      if (it->is_string() && !it->get<std::string>().empty() && it->get<std::string>()[0] == '-') continue;
      (*requests)[it.key()] = *it;
    }
  }
}

void defaultContainer(Json& c, bool hostNetwork) {
  if (!c.is_object()) return;
  if (isUnset(c, "imagePullPolicy") || (c["imagePullPolicy"].is_string() && c["imagePullPolicy"].get<std::string>().empty())) {
    const std::string image = c.contains("image") && c["image"].is_string() ? c["image"].get<std::string>() : "";
    c["imagePullPolicy"] = defaultPullPolicy(image);
  }
  defaultString(c, "terminationMessagePath", "/dev/termination-log");
  defaultString(c, "terminationMessagePolicy", "File");
  if (Json* ports = arrayField(c, "ports")) {
    for (auto& p : *ports) {
      if (!p.is_object()) continue;
      defaultString(p, "protocol", "TCP");
      const bool noHostPort = isUnset(p, "hostPort") || (p["hostPort"].is_number_integer() && p["hostPort"] == 0);
      if (hostNetwork && noHostPort && p.contains("containerPort") && p["containerPort"].is_number_integer())
        p["hostPort"] = p["containerPort"];
    }
  }
  if (Json* env = arrayField(c, "env")) {
    for (auto& e : *env) {
      if (!e.is_object()) continue;
      if (Json* from = objectField(e, "valueFrom", false)) {
        defaultFieldRef(*from);
        if (Json* rf = objectField(*from, "resourceFieldRef", false); rf && rf->contains("divisor"))
          canonicalizeQuantity((*rf)["divisor"]);
      }
    }
  }
  defaultProbe(c, "livenessProbe");
  defaultProbe(c, "readinessProbe");
  defaultProbe(c, "startupProbe");
  if (Json* lifecycle = objectField(c, "lifecycle", false)) {
    if (Json* h = objectField(*lifecycle, "postStart", false)) defaultHttpGet(*h);
    if (Json* h = objectField(*lifecycle, "preStop", false)) defaultHttpGet(*h);
  }
  defaultResources(c);
}

const char* const kVolumeSources[] = {
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs", "iscsi",
    "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs", "quobyte", "downwardAPI", "fc",
    "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected",
    "scaleIO", "configMap", "csi", "ephemeral", "image", "flexVolume"};

void defaultDownwardItems(Json& source) {
  if (Json* items = arrayField(source, "items"))
    for (auto& item : *items)
      if (item.is_object()) defaultFieldRef(item);
}

void defaultVolume(Json& v) {
  if (!v.is_object()) return;
  bool hasSource = false;
  for (const char* kind : kVolumeSources)
    if (!isUnset(v, kind)) hasSource = true;
  if (!hasSource) v["emptyDir"] = Json::object();  // SetDefaults_Volume
  if (Json* hp = objectField(v, "hostPath", false); hp && isUnset(*hp, "type")) (*hp)["type"] = "";
  if (Json* ed = objectField(v, "emptyDir", false); ed && ed->contains("sizeLimit")) canonicalizeQuantity((*ed)["sizeLimit"]);
  for (const char* kind : {"secret", "configMap", "downwardAPI", "projected"}) {
    Json* src = objectField(v, kind, false);
    if (!src) continue;
    if (isUnset(*src, "defaultMode")) (*src)["defaultMode"] = 0644;
    if (std::string(kind) == "downwardAPI") defaultDownwardItems(*src);
    if (std::string(kind) == "projected") {
      if (Json* sources = arrayField(*src, "sources"))
        for (auto& s : *sources)
          if (Json* d = s.is_object() ? objectField(s, "downwardAPI", false) : nullptr) defaultDownwardItems(*d);
    }
  }
}

void defaultPodSpec(Json& spec) {
  defaultString(spec, "dnsPolicy", "ClusterFirst");
  defaultString(spec, "restartPolicy", "Always");
  defaultString(spec, "schedulerName", "default-scheduler");
  if (isUnset(spec, "securityContext")) spec["securityContext"] = Json::object();
  if (isUnset(spec, "terminationGracePeriodSeconds")) spec["terminationGracePeriodSeconds"] = kDefaultTerminationGracePeriodSeconds;
  // serviceAccount is the deprecated spelling; the API server keeps both in step.
  auto nonEmpty = [&](const char* k) { return spec.contains(k) && spec[k].is_string() && !spec[k].get<std::string>().empty(); };
  if (nonEmpty("serviceAccount") && !nonEmpty("serviceAccountName")) spec["serviceAccountName"] = spec["serviceAccount"];
  if (nonEmpty("serviceAccountName") && !nonEmpty("serviceAccount")) spec["serviceAccount"] = spec["serviceAccountName"];
  const bool hostNetwork = spec.contains("hostNetwork") && spec["hostNetwork"].is_boolean() && spec["hostNetwork"].get<bool>();
  for (const char* list : {"containers", "initContainers"})
    if (Json* cs = arrayField(spec, list))
      for (auto& c : *cs) defaultContainer(c, hostNetwork);
  if (Json* vs = arrayField(spec, "volumes"))
    for (auto& v : *vs) defaultVolume(v);
  if (Json* overhead = objectField(spec, "overhead", false)) canonicalizeResourceList(*overhead);
}

void defaultUpdateStrategy(Json& spec) {
  Json* strategy = objectField(spec, "updateStrategy", true);
  if (!strategy) return;
  defaultString(*strategy, "type", "RollingUpdate");
  if (!(*strategy)["type"].is_string() || (*strategy)["type"].get<std::string>() != "RollingUpdate") return;
  Json* rolling = objectField(*strategy, "rollingUpdate", true);
  if (!rolling) return;
  if (isUnset(*rolling, "maxUnavailable")) (*rolling)["maxUnavailable"] = 1;
  if (isUnset(*rolling, "maxSurge")) (*rolling)["maxSurge"] = 0;
}

}  // namespace

void applyDefaults(Json& daemonSet) {
  if (!daemonSet.is_object()) return;
  if (Json* meta = objectField(daemonSet, "metadata", true)) defaultString(*meta, "namespace", "default");
  Json* spec = objectField(daemonSet, "spec", true);
  if (spec) {
    defaultUpdateStrategy(*spec);
    if (isUnset(*spec, "revisionHistoryLimit")) (*spec)["revisionHistoryLimit"] = 10;
    if (Json* tmpl = objectField(*spec, "template", true)) {
      if (Json* podSpec = objectField(*tmpl, "spec", true)) defaultPodSpec(*podSpec);
    }
  }
  normalize(daemonSet);
}

}  // namespace daemonlet::model
