// Pod-spec rules for fields the typed model keeps only in `raw`: pod
// (anti-)affinity terms, dnsConfig and seccomp/AppArmor profile fields.
// Reads the defaulted JSON; values of the wrong type were already reported by
// the decoder, so they are skipped here.
#include <arpa/inet.h>

#include "agent/model/validation_internal.h"

namespace daemonlet::model::validation_detail {
namespace {

const Json* member(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return (it == obj.end() || it->is_null()) ? nullptr : &*it;
}

std::string str(const Json* v) { return (v && v->is_string()) ? v->get<std::string>() : std::string(); }

std::vector<std::string> strings(const Json* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& e : *v)
      if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

LabelSelector selectorFromJson(const Json& j) {
  LabelSelector s;
  if (const Json* ml = member(j, "matchLabels"); ml && ml->is_object())
    for (auto it = ml->begin(); it != ml->end(); ++it)
      if (it->is_string()) s.matchLabels[it.key()] = it->get<std::string>();
  if (const Json* me = member(j, "matchExpressions"); me && me->is_array())
    for (const auto& e : *me)
      s.matchExpressions.push_back({str(member(e, "key")), str(member(e, "operator")), strings(member(e, "values"))});
  return s;
}

void validatePodAffinityTerm(const Json& term, const std::string& path, FieldErrors& out) {
  if (const Json* ls = member(term, "labelSelector"); ls && ls->is_object())
    validateLabelSelector(selectorFromJson(*ls), child(path, "labelSelector"), out);
  if (const Json* ns = member(term, "namespaceSelector"); ns && ns->is_object())
    validateLabelSelector(selectorFromJson(*ns), child(path, "namespaceSelector"), out);
  for (const auto& name : strings(member(term, "namespaces")))
    addInvalid(out, child(path, "namespace"), quote(name), isDns1123Label(name));
  const std::string topologyKey = str(member(term, "topologyKey"));
  if (topologyKey.empty()) out.push_back(required(child(path, "topologyKey"), "can not be empty"));
  validateLabelName(topologyKey, child(path, "topologyKey"), out);
}

void validatePodAffinity(const Json& affinity, const std::string& path, FieldErrors& out) {
  if (const Json* req = member(affinity, "requiredDuringSchedulingIgnoredDuringExecution"); req && req->is_array()) {
    const std::string reqPath = child(path, "requiredDuringSchedulingIgnoredDuringExecution");
    for (std::size_t i = 0; i < req->size(); ++i) validatePodAffinityTerm((*req)[i], index(reqPath, i), out);
  }
  if (const Json* pref = member(affinity, "preferredDuringSchedulingIgnoredDuringExecution"); pref && pref->is_array()) {
    const std::string prefPath = child(path, "preferredDuringSchedulingIgnoredDuringExecution");
    for (std::size_t i = 0; i < pref->size(); ++i) {
      const Json& weighted = (*pref)[i];
      const Json* w = member(weighted, "weight");
      const std::int64_t weight = (w && w->is_number_integer()) ? w->get<std::int64_t>() : 0;
      if (weight <= 0 || weight > 100)
        out.push_back(invalid(child(index(prefPath, i), "weight"), renderInt(weight), "must be in the range 1-100"));
      const Json* term = member(weighted, "podAffinityTerm");
      validatePodAffinityTerm(term ? *term : Json::object(), child(index(prefPath, i), "podAffinityTerm"), out);
    }
  }
}

bool isIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

void validateDnsConfig(const Json& pod, const std::string& path, FieldErrors& out) {
  const std::string dnsPath = child(path, "dnsConfig");
  const Json* cfg = member(pod, "dnsConfig");
  const std::vector<std::string> nameservers = cfg ? strings(member(*cfg, "nameservers")) : std::vector<std::string>{};
  if (str(member(pod, "dnsPolicy")) == "None") {
    if (!cfg) {
      out.push_back(required(dnsPath, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (nameservers.empty()) {
      out.push_back(required(child(dnsPath, "nameservers"), "must provide at least one DNS nameserver when `dnsPolicy` is None"));
      return;
    }
  }
  if (!cfg || !cfg->is_object()) return;
  if (nameservers.size() > 3)
    out.push_back(invalid(child(dnsPath, "nameservers"), "[]string{...}", "must not have more than 3 nameservers"));
  for (std::size_t i = 0; i < nameservers.size(); ++i)
    if (!isIp(nameservers[i]))
      out.push_back(invalid(index(child(dnsPath, "nameservers"), i), quote(nameservers[i]),
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  const std::vector<std::string> searches = strings(member(*cfg, "searches"));
  std::size_t chars = searches.empty() ? 0 : searches.size() - 1;
  for (const auto& s : searches) chars += s.size();
  if (searches.size() > 32)
    out.push_back(invalid(child(dnsPath, "searches"), "[]string{...}", "must not have more than 32 search paths"));
  if (chars > 2048)
    out.push_back(invalid(child(dnsPath, "searches"), "[]string{...}",
                          "must not have more than 2048 characters (including spaces) in the search list"));
  for (std::size_t i = 0; i < searches.size(); ++i) {
    std::string s = searches[i];
    if (!s.empty() && s.back() == '.') s.pop_back();  // a trailing dot is fine
    validateDns1123Subdomain(s, index(child(dnsPath, "searches"), i), out);
  }
  if (const Json* options = member(*cfg, "options"); options && options->is_array())
    for (std::size_t i = 0; i < options->size(); ++i)
      if (str(member((*options)[i], "name")).empty())
        out.push_back(required(index(child(dnsPath, "options"), i), "must not be empty"));
}

void validateProfileField(const Json& sc, const char* field, const std::string& scPath, FieldErrors& out) {
  // seccompProfile and appArmorProfile share one shape and one rule set.
  const Json* profile = member(sc, field);
  if (!profile || !profile->is_object()) return;
  const std::string path = child(scPath, field);
  const std::string type = str(member(*profile, "type"));
  const Json* local = member(*profile, "localhostProfile");
  if (type != "Localhost" && type != "RuntimeDefault" && type != "Unconfined") {
    if (type.empty()) out.push_back(required(child(path, "type")));
    else out.push_back(notSupported(child(path, "type"), quote(type), {"Localhost", "RuntimeDefault", "Unconfined"}));
  }
  if (type == "Localhost") {
    const bool isAppArmor = std::string(field) == "appArmorProfile";
    if (!local || !local->is_string()) {
      out.push_back(required(child(path, "localhostProfile"),
                             isAppArmor ? "must be set when AppArmor type is Localhost"
                                        : "must be set when seccomp type is Localhost"));
    } else if (isAppArmor) {
      if (local->get<std::string>().empty())
        out.push_back(required(child(path, "localhostProfile"), "must be set when AppArmor type is Localhost"));
    } else {
      const std::string lp = local->get<std::string>();
      if (!lp.empty() && lp.front() == '/')
        out.push_back(invalid(child(path, "localhostProfile"), quote(lp), "must be a relative path"));
      if (lp == ".." || lp.rfind("../", 0) == 0 || lp.find("/../") != std::string::npos ||
          (lp.size() >= 3 && lp.compare(lp.size() - 3, 3, "/..") == 0))
        out.push_back(invalid(child(path, "localhostProfile"), quote(lp), "must not contain '..'"));
    }
  } else if (local) {
    out.push_back(invalid(child(path, "localhostProfile"), quote(local->is_string() ? local->get<std::string>() : ""),
                          "can only be set when the profile type is Localhost"));
  }
}

void validateProfiles(const Json& pod, const std::string& path, FieldErrors& out) {
  if (const Json* sc = member(pod, "securityContext")) {
    validateProfileField(*sc, "seccompProfile", child(path, "securityContext"), out);
    validateProfileField(*sc, "appArmorProfile", child(path, "securityContext"), out);
  }
  for (const char* list : {"containers", "initContainers"}) {
    const Json* cs = member(pod, list);
    if (!cs || !cs->is_array()) continue;
    for (std::size_t i = 0; i < cs->size(); ++i) {
      const Json* sc = member((*cs)[i], "securityContext");
      if (!sc) continue;
      const std::string scPath = child(index(child(path, list), i), "securityContext");
      validateProfileField(*sc, "seccompProfile", scPath, out);
      validateProfileField(*sc, "appArmorProfile", scPath, out);
    }
  }
}

}  // namespace

void validateRawPodSpecExtras(const Json& daemonSetRaw, FieldErrors& out) {
  const Json* spec = member(daemonSetRaw, "spec");
  const Json* tmpl = spec ? member(*spec, "template") : nullptr;
  const Json* pod = tmpl ? member(*tmpl, "spec") : nullptr;
  if (!pod || !pod->is_object()) return;
  const std::string path = "spec.template.spec";
  if (const Json* affinity = member(*pod, "affinity")) {
    if (const Json* pa = member(*affinity, "podAffinity"))
      validatePodAffinity(*pa, child(path, "affinity.podAffinity"), out);
    if (const Json* paa = member(*affinity, "podAntiAffinity"))
      validatePodAffinity(*paa, child(path, "affinity.podAntiAffinity"), out);
  }
  validateDnsConfig(*pod, path, out);
  validateProfiles(*pod, path, out);
}

}  // namespace daemonlet::model::validation_detail
