// Entry points of the decoder: DaemonSet and Node objects, and whole files.
#include "agent/model/decode.h"

#include <algorithm>

#include "agent/model/decode_parts.h"

namespace daemonlet::model {
namespace {

using decoding::DecodeContext;
using decoding::ObjectReader;

constexpr std::string_view kDaemonSetFields[] = {"apiVersion", "kind", "metadata", "spec", "status"};
constexpr std::string_view kDaemonSetSpecFields[] = {"selector", "template", "updateStrategy",
                                                     "minReadySeconds", "revisionHistoryLimit"};
constexpr std::string_view kUpdateStrategyFields[] = {"type", "rollingUpdate"};
constexpr std::string_view kRollingUpdateFields[] = {"maxUnavailable", "maxSurge"};
constexpr std::string_view kNodeFields[] = {"apiVersion", "kind", "metadata", "spec", "status"};
constexpr std::string_view kNodeSpecFields[] = {"podCIDR", "podCIDRs",     "providerID", "unschedulable",
                                                "taints",  "configSource", "externalID"};

// Group versions that once served DaemonSet; named in the error so the fix is clear.
constexpr std::string_view kRetiredDaemonSetVersions[] = {"extensions/v1beta1", "apps/v1beta2",
                                                          "apps/v1beta1"};

void decodeRollingUpdate(DecodeContext& ctx, const Json& json, const std::string& path,
                         RollingUpdateDaemonSet& out) {
  ObjectReader r(ctx, json, path, kRollingUpdateFields);
  r.optIntOrString("maxUnavailable", out.maxUnavailable);
  r.optIntOrString("maxSurge", out.maxSurge);
}

void decodeUpdateStrategy(DecodeContext& ctx, const Json& json, const std::string& path,
                          DaemonSetUpdateStrategy& out) {
  ObjectReader r(ctx, json, path, kUpdateStrategyFields);
  r.string("type", out.type);
  r.optObject("rollingUpdate", out.rollingUpdate, decodeRollingUpdate);
}

void decodeDaemonSetSpec(DecodeContext& ctx, const Json& json, const std::string& path, DaemonSetSpec& out) {
  ObjectReader r(ctx, json, path, kDaemonSetSpecFields);
  r.optObject("selector", out.selector, decoding::decodeLabelSelector);
  r.object("template", out.template_, decoding::decodePodTemplateSpec);
  r.object("updateStrategy", out.updateStrategy, decodeUpdateStrategy);
  r.int32("minReadySeconds", out.minReadySeconds);
  r.optInt32("revisionHistoryLimit", out.revisionHistoryLimit);
}

void decodeNodeSpec(DecodeContext& ctx, const Json& json, const std::string& path, Node& out) {
  ObjectReader r(ctx, json, path, kNodeSpecFields);
  r.list("taints", out.taints, decoding::decodeTaint);
  r.boolean("unschedulable", out.unschedulable);
}

// Reads apiVersion and kind; reports a missing or mistyped one. Returns false when
// the object cannot be identified.
bool readTypeMeta(DecodeContext& ctx, const Json& object, std::string& apiVersion, std::string& kind) {
  bool ok = true;
  for (auto [key, out] : {std::pair{"apiVersion", &apiVersion}, std::pair{"kind", &kind}}) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null() ||
        (it->is_string() && it->get_ref<const std::string&>().empty())) {
      ctx.error(key, std::string(key) + " is required");
      ok = false;
    } else if (!it->is_string()) {
      ctx.typeError(key, *it, "string");
      ok = false;
    } else {
      *out = it->get<std::string>();
    }
  }
  return ok;
}

}  // namespace

DecodedDaemonSet decodeDaemonSet(const Document& document) {
  DecodedDaemonSet result;
  DaemonSet& ds = result.daemonSet;
  ds.source = document.source;
  DecodeContext ctx(document.source, result.errors, result.warnings);
  const Json& object = document.object;
  if (!object.is_object()) {
    ctx.typeError("", object, "object");
    return result;
  }
  ds.raw = object;
  if (!readTypeMeta(ctx, object, ds.apiVersion, ds.kind)) return result;
  if (ds.kind != "DaemonSet") {
    ctx.error("kind", "kind " + ds.kind + " is not DaemonSet");
    return result;
  }
  if (ds.apiVersion != "apps/v1") {
    const bool retired = std::find(std::begin(kRetiredDaemonSetVersions), std::end(kRetiredDaemonSetVersions),
                                   ds.apiVersion) != std::end(kRetiredDaemonSetVersions);
    ctx.error("apiVersion", "apiVersion " + ds.apiVersion + " is not supported: DaemonSet requires apps/v1" +
                                (retired ? " (" + ds.apiVersion + " was removed in Kubernetes 1.16)" : ""));
    return result;
  }
  ObjectReader r(ctx, object, "", kDaemonSetFields);
  r.object("metadata", ds.metadata, decoding::decodeObjectMeta);
  r.object("spec", ds.spec, decodeDaemonSetSpec);
  return result;
}

DecodedNode decodeNode(const Document& document) {
  DecodedNode result;
  DecodeContext ctx(document.source, result.errors, result.warnings);
  const Json& object = document.object;
  if (!object.is_object()) {
    ctx.typeError("", object, "object");
    return result;
  }
  result.node.raw = object;
  std::string apiVersion;
  std::string kind;
  if (!readTypeMeta(ctx, object, apiVersion, kind)) return result;
  if (kind != "Node" || apiVersion != "v1") {
    ctx.error("kind", "expected a v1/Node, got " + apiVersion + "/" + kind);
    return result;
  }
  ObjectReader r(ctx, object, "", kNodeFields);
  r.object("metadata", result.node.metadata, decoding::decodeObjectMeta);
  r.object("spec", result.node, decodeNodeSpec);
  return result;
}

}  // namespace daemonlet::model
