// ObjectMeta, label selectors, tolerations, taints and node affinity.
#include "agent/model/decode_parts.h"

namespace daemonlet::model::decoding {
namespace {

constexpr std::string_view kObjectMetaFields[] = {"name",
                                                  "generateName",
                                                  "namespace",
                                                  "selfLink",
                                                  "uid",
                                                  "resourceVersion",
                                                  "generation",
                                                  "creationTimestamp",
                                                  "deletionTimestamp",
                                                  "deletionGracePeriodSeconds",
                                                  "labels",
                                                  "annotations",
                                                  "ownerReferences",
                                                  "finalizers",
                                                  "managedFields"};
constexpr std::string_view kLabelSelectorFields[] = {"matchLabels", "matchExpressions"};
constexpr std::string_view kRequirementFields[] = {"key", "operator", "values"};
constexpr std::string_view kTolerationFields[] = {"key", "operator", "value", "effect", "tolerationSeconds"};
constexpr std::string_view kTaintFields[] = {"key", "value", "effect", "timeAdded"};
constexpr std::string_view kAffinityFields[] = {"nodeAffinity", "podAffinity", "podAntiAffinity"};
constexpr std::string_view kNodeAffinityFields[] = {"requiredDuringSchedulingIgnoredDuringExecution",
                                                    "preferredDuringSchedulingIgnoredDuringExecution"};
constexpr std::string_view kNodeSelectorFields[] = {"nodeSelectorTerms"};
constexpr std::string_view kNodeSelectorTermFields[] = {"matchExpressions", "matchFields"};
constexpr std::string_view kPreferredTermFields[] = {"weight", "preference"};

void decodeLabelRequirement(DecodeContext& ctx, const Json& json, const std::string& path,
                            LabelSelectorRequirement& out) {
  ObjectReader r(ctx, json, path, kRequirementFields);
  r.string("key", out.key);
  r.string("operator", out.op);
  r.stringList("values", out.values);
}

void decodeNodeRequirement(DecodeContext& ctx, const Json& json, const std::string& path,
                           NodeSelectorRequirement& out) {
  ObjectReader r(ctx, json, path, kRequirementFields);
  r.string("key", out.key);
  r.string("operator", out.op);
  r.stringList("values", out.values);
}

void decodeNodeSelectorTerm(DecodeContext& ctx, const Json& json, const std::string& path,
                            NodeSelectorTerm& out) {
  ObjectReader r(ctx, json, path, kNodeSelectorTermFields);
  r.list("matchExpressions", out.matchExpressions, decodeNodeRequirement);
  r.list("matchFields", out.matchFields, decodeNodeRequirement);
}

void decodeNodeSelector(DecodeContext& ctx, const Json& json, const std::string& path, NodeSelector& out) {
  ObjectReader r(ctx, json, path, kNodeSelectorFields);
  r.list("nodeSelectorTerms", out.nodeSelectorTerms, decodeNodeSelectorTerm);
}

void decodePreferredTerm(DecodeContext& ctx, const Json& json, const std::string& path,
                         PreferredSchedulingTerm& out) {
  ObjectReader r(ctx, json, path, kPreferredTermFields);
  r.int32("weight", out.weight);
  r.object("preference", out.preference, decodeNodeSelectorTerm);
}

void decodeNodeAffinity(DecodeContext& ctx, const Json& json, const std::string& path, NodeAffinity& out) {
  ObjectReader r(ctx, json, path, kNodeAffinityFields);
  r.optObject("requiredDuringSchedulingIgnoredDuringExecution",
              out.requiredDuringSchedulingIgnoredDuringExecution, decodeNodeSelector);
  r.list("preferredDuringSchedulingIgnoredDuringExecution",
         out.preferredDuringSchedulingIgnoredDuringExecution, decodePreferredTerm);
}

}  // namespace

void decodeObjectMeta(DecodeContext& ctx, const Json& json, const std::string& path, ObjectMeta& out) {
  ObjectReader r(ctx, json, path, kObjectMetaFields);
  r.string("name", out.name);
  r.string("generateName", out.generateName);
  r.string("namespace", out.namespace_);
  r.string("uid", out.uid);
  r.string("resourceVersion", out.resourceVersion);
  r.int64("generation", out.generation);
  r.stringMap("labels", out.labels);
  r.stringMap("annotations", out.annotations);
}

void decodeLabelSelector(DecodeContext& ctx, const Json& json, const std::string& path, LabelSelector& out) {
  ObjectReader r(ctx, json, path, kLabelSelectorFields);
  r.stringMap("matchLabels", out.matchLabels);
  r.list("matchExpressions", out.matchExpressions, decodeLabelRequirement);
}

void decodeToleration(DecodeContext& ctx, const Json& json, const std::string& path, Toleration& out) {
  ObjectReader r(ctx, json, path, kTolerationFields);
  r.string("key", out.key);
  r.string("operator", out.op);
  r.string("value", out.value);
  r.string("effect", out.effect);
  r.optInt64("tolerationSeconds", out.tolerationSeconds);
}

void decodeTaint(DecodeContext& ctx, const Json& json, const std::string& path, Taint& out) {
  ObjectReader r(ctx, json, path, kTaintFields);
  r.string("key", out.key);
  r.string("value", out.value);
  r.string("effect", out.effect);
}

void decodeAffinity(DecodeContext& ctx, const Json& json, const std::string& path, Affinity& out) {
  ObjectReader r(ctx, json, path, kAffinityFields);
  r.optObject("nodeAffinity", out.nodeAffinity, decodeNodeAffinity);
}

}  // namespace daemonlet::model::decoding
