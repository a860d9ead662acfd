#pragma once
// Kubernetes `Status` answers and content negotiation for the API routes: every
// error kubectl can meet here is a metav1.Status in JSON (never an HTML page),
// and the Accept header decides between plain JSON, a meta.k8s.io/v1 Table, or
// 406 when it names nothing we can produce (protobuf alone, YAML).
#include <httplib.h>

#include <string>
#include <vector>

#include "agent/kubeapi/field_cause.h"
#include "agent/model/types.h"

namespace daemonlet::kubeapi {

inline constexpr const char* kJsonType = "application/json";

void sendKubeStatus(httplib::Response& res, int code, const std::string& reason, const std::string& message);
void sendObject(httplib::Response& res, const model::Json& body);

// A 422 Invalid Status as errors.NewInvalid builds it: the message
// `<Kind>.<group> "<name>" is invalid: <field>: <message>` (several causes in
// [..., ...]) and details {group, kind, name, causes[{reason, message, field}]}.
void sendInvalid(httplib::Response& res, const std::string& group, const std::string& kind,
                 const std::string& name, const std::vector<FieldCause>& causes);

enum class Representation { kJson, kTable, kNotAcceptable };
// What the client's Accept asks for, in its order of preference. Aggregated
// discovery types (apidiscovery.k8s.io) are skipped, as a server without them
// does, so such a client falls back to the plain JSON it also accepts.
Representation negotiate(const std::string& accept);

// 406 with the Status body, when negotiate() said so.
void sendNotAcceptable(httplib::Response& res, const std::string& accept);

}  // namespace daemonlet::kubeapi
