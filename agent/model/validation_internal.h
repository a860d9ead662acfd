#pragma once
// Building blocks shared by the validation_*.cpp files: field-path helpers, error
// constructors with Kubernetes' wording, the apimachinery name/value checks, and
// the per-area validators. Internal to agent/model; callers use validation.h.
//
// Each validator appends to `out` and takes the field path of the thing it checks,
// so the paths come out exactly as field.Path renders them ("a.b[0].c[key]").
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/model/types.h"
#include "agent/model/validation.h"
#include "agent/model/validation_names.h"

namespace daemonlet::model::validation_detail {

using Messages = std::vector<std::string>;

// --- field paths -----------------------------------------------------------
std::string child(const std::string& path, std::string_view name);
std::string index(const std::string& path, std::size_t i);
std::string key(const std::string& path, std::string_view k);

// --- rendering bad values as Go's field.Error does -------------------------
std::string quote(std::string_view s);  // Go %q
std::string renderInt(std::int64_t v);
std::string renderStringMap(const StringMap& m);  // %#v of map[string]string
std::string renderIntOrString(const IntOrString& v);

// --- error constructors ------------------------------------------------------
FieldError required(std::string path, std::string detail = {});
FieldError forbidden(std::string path, std::string detail);
FieldError invalid(std::string path, std::string renderedValue, std::string detail);
FieldError notSupported(std::string path, std::string renderedValue, const std::vector<std::string>& supported);
FieldError duplicate(std::string path, std::string renderedValue);
FieldError notFound(std::string path, std::string renderedValue);
FieldError tooLong(std::string path, std::int64_t maxLength);

// --- apimachinery util/validation checks (empty result = valid) --------------
// (the name checks shared outside the model: validation_names.h)
Messages isValidPortName(std::string_view v);  // IANA_SVC_NAME
Messages isValidPortNum(std::int64_t port);
Messages isValidPercent(std::string_view v);
Messages isConfigMapKey(std::string_view v);
Messages isRelaxedEnvVarName(std::string_view v);
Messages isValidUserOrGroupId(std::int64_t id);
Messages isHttpHeaderName(std::string_view v);
// NameIsDNSSubdomain(name, prefix): a generateName prefix may end in '-'.
Messages nameIsDnsSubdomain(std::string_view v, bool prefix);

// Appends one Invalid(path, value, msg) per message.
void addInvalid(FieldErrors& out, const std::string& path, const std::string& rendered, const Messages& msgs);
void validateDns1123Label(std::string_view v, const std::string& path, FieldErrors& out);
void validateDns1123Subdomain(std::string_view v, const std::string& path, FieldErrors& out);
void validateNonnegative(std::int64_t v, const std::string& path, FieldErrors& out);

// --- metadata ----------------------------------------------------------------
void validateLabelName(std::string_view name, const std::string& path, FieldErrors& out);
void validateLabels(const StringMap& labels, const std::string& path, FieldErrors& out);
void validateAnnotations(const StringMap& annotations, const std::string& path, FieldErrors& out);
void validateObjectMeta(const ObjectMeta& meta, const std::string& path, FieldErrors& out);

// --- label selectors -----------------------------------------------------------
void validateLabelSelector(const LabelSelector& selector, const std::string& path, FieldErrors& out);
// metav1.LabelSelectorAsSelector + Matches: nullopt when the selector cannot be
// converted (then Kubernetes skips the template-match check).
std::optional<bool> labelSelectorMatches(const std::optional<LabelSelector>& selector, const StringMap& labels);

// --- pod spec ----------------------------------------------------------------------
void validatePodTemplateSpec(const PodTemplateSpec& tmpl, const std::string& path, FieldErrors& out);
void validatePodSpec(const PodSpec& spec, const std::string& path, FieldErrors& out);
void validatePodSpecificAnnotations(const StringMap& annotations, const PodSpec& spec, const std::string& path,
                                    FieldErrors& out);
// Returns the names of volumes that validated cleanly (mounts may refer only to those).
std::set<std::string> validateVolumes(const std::vector<Volume>& volumes, const std::string& path, FieldErrors& out);
void validateContainers(const PodSpec& spec, const std::set<std::string>& volumes, const std::string& path,
                        FieldErrors& out);
void validateInitContainers(const PodSpec& spec, const std::set<std::string>& volumes, const std::string& path,
                            FieldErrors& out);
// validateContainerCommon: the rules every container kind shares.
void validateContainerCommon(const Container& c, const std::set<std::string>& volumes, const std::string& path,
                             FieldErrors& out);
void validateEnv(const std::vector<EnvVar>& env, const std::string& path, FieldErrors& out);
void validateResources(const ResourceRequirements& r, const std::string& path, FieldErrors& out);
void validateSecurityContext(const SecurityContext& sc, const std::string& path, FieldErrors& out);
void validatePodSecurityContext(const PodSecurityContext& sc, const std::string& path, FieldErrors& out);
enum class ProbeKind { kLiveness, kReadiness, kStartup };
void validateProbe(const Probe& probe, ProbeKind kind, const std::string& path, FieldErrors& out);
// `path` is the container's; gracePeriod the pod's terminationGracePeriodSeconds
// (bounds a sleep handler).
void validateLifecycle(const Container& c, const std::optional<std::int64_t>& gracePeriod, const std::string& path,
                       FieldErrors& out);
void checkHostPortConflicts(const std::vector<Container>& containers, const std::string& path, FieldErrors& out);

// --- scheduling ------------------------------------------------------------------------
void validateAffinity(const Affinity& affinity, const std::string& path, FieldErrors& out);
void validateTolerations(const std::vector<Toleration>& tolerations, const std::string& path, FieldErrors& out);

// --- fields kept only in raw JSON (pod affinity, dnsConfig, seccomp/AppArmor profiles) ----
void validateRawPodSpecExtras(const Json& daemonSetRaw, FieldErrors& out);

// --- daemonset -------------------------------------------------------------------------
void validateUpdateStrategy(const DaemonSetUpdateStrategy& strategy, const std::string& path, FieldErrors& out);

}  // namespace daemonlet::model::validation_detail
