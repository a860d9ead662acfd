#pragma once
// Per-object decoders (internal to agent/model). Each takes the JSON value and its
// field path, fills the struct, and reports through the context. Field tables
// list every name the Kubernetes schema defines, modelled or not, so only truly
// unknown names warn.
#include "agent/model/decode_reader.h"

namespace daemonlet::model::decoding {

void decodeObjectMeta(DecodeContext& ctx, const Json& json, const std::string& path, ObjectMeta& out);
void decodeLabelSelector(DecodeContext& ctx, const Json& json, const std::string& path, LabelSelector& out);
void decodeToleration(DecodeContext& ctx, const Json& json, const std::string& path, Toleration& out);
void decodeTaint(DecodeContext& ctx, const Json& json, const std::string& path, Taint& out);
void decodeAffinity(DecodeContext& ctx, const Json& json, const std::string& path, Affinity& out);
void decodeContainer(DecodeContext& ctx, const Json& json, const std::string& path, Container& out);
void decodePodSpec(DecodeContext& ctx, const Json& json, const std::string& path, PodSpec& out);
void decodePodTemplateSpec(DecodeContext& ctx, const Json& json, const std::string& path,
                           PodTemplateSpec& out);

}  // namespace daemonlet::model::decoding
