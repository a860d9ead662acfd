#pragma once
// Merging the sources into one desired set (README "Sources and precedence").
//
// Rule: the local manifest directory is the operator's override on this node. A
// DaemonSet (namespace/name) that both the manifest directory and the endpoint
// define runs the local copy; the endpoint's copy is set aside and the status
// shows a notice naming the local file, with origin "endpoint:<url>" (or
// "cache:<url>"). Every other DaemonSet of either source runs as its source says.
//
// Origins: manifest DaemonSets keep "file:<path>"; endpoint DaemonSets carry
// "endpoint:<url>" when they come from a live answer and "cache:<url>" when they
// come from the last-known-good cache (until the first live answer arrives).
// The endpoint's errors are relabelled the same way.
//
// Pure: no I/O, no clock, no logging. `complete` of the result is the manifest
// directory's; the caller clears it while a configured endpoint has produced no
// snapshot yet (neither cache nor live), see SourceSnapshot::complete.
#include <optional>

#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/source_snapshot.h"

namespace daemonlet::sources {

enum class EndpointOrigin { kLive, kCache };

SourceSnapshot mergeSources(const SourceSnapshot& manifestDirectory, const std::optional<EndpointSnapshot>& endpoint,
                            EndpointOrigin how);

// "endpoint:<url>" or "cache:<url>".
std::string endpointOriginLabel(const std::string& url, EndpointOrigin how);

}  // namespace daemonlet::sources
