#pragma once
// DesiredSet: the policy that turns the sources into the one desired set the
// reconciler runs (README "Central endpoint", "Sources and precedence").
//
// Rules:
//   1. Cache first: loadCache() reads the endpoint's last-known-good cache before
//      any network contact; its DaemonSets count as the endpoint's (origin
//      "cache:<url>") until the first live answer replaces them.
//   2. Nothing is published before the manifest directory's first scan: merging
//      without it could start an endpoint copy of a DaemonSet that a local file
//      overrides. From then on every change publishes the merge (source_merge.h).
//   3. Incomplete set: while an endpoint is configured but neither the cache nor
//      a fetch has produced a snapshot, the merged set is marked incomplete, so
//      the reconciler stops nothing it does not see (SourceSnapshot::complete).
//   4. Node identity: with followNode, the Node read from the API server is laid
//      over the local identity (mergeNodeIdentity).
// Without an endpoint it only passes the manifest directory's snapshots through.
//
// Threading: one thread (the agent's loop) calls everything except persist(),
// which the endpoint source's thread calls before handing the snapshot over
// (EndpointCache: one thread saves; load() ran before the source started). The
// outputs are called synchronously, on the calling thread.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "agent/base/result.h"
#include "agent/model/types.h"
#include "agent/sources/endpoint_cache.h"
#include "agent/sources/endpoint_snapshot.h"
#include "agent/sources/endpoint_view.h"
#include "agent/sources/kube_node_info.h"
#include "agent/sources/source_merge.h"
#include "agent/sources/source_snapshot.h"

namespace daemonlet::sources {

struct DesiredSetOptions {
  bool endpointConfigured = false;
  std::string endpointUrl;         // the URL the endpoint's snapshots (and the cache) carry
  std::string endpointMode;        // "http" or "kubernetes", for the view
  bool followNode = false;         // lay the API server's Node over the local identity
  std::filesystem::path stateDir;  // holds the endpoint cache
};

struct DesiredSetOutputs {
  std::function<void(SourceSnapshot)> desired;            // the merged set, on each change
  std::function<void(const EndpointView&)> endpointView;  // only with an endpoint
  std::function<void(const model::Node&)> node;           // the effective Node, when the API server's changes
};

class DesiredSet {
 public:
  DesiredSet(DesiredSetOptions options, DesiredSetOutputs outputs);

  bool endpointConfigured() const { return options_.endpointConfigured; }
  const std::string& endpointUrl() const { return options_.endpointUrl; }

  void loadCache();  // before the endpoint source starts; no network
  // The endpoint source's seed: the cached snapshot, or null.
  const EndpointSnapshot* endpointSeed() const { return endpoint_ ? &*endpoint_ : nullptr; }

  // Saves an accepted snapshot to the cache (endpoint source's thread). A failed
  // save is returned for the caller to log; the snapshot applies anyway.
  base::Status persist(const EndpointSnapshot& snapshot);
  void cacheSaved();  // a good cache is on disk: the load error no longer applies

  void setManifestSnapshot(SourceSnapshot snapshot);
  void setEndpointSnapshot(EndpointSnapshot snapshot);
  void setEndpointHealth(const EndpointHealth& health);
  void setNodeInfo(const KubeNodeInfo& info);

  // The Node to use for `local`: with followNode, merged with the last Node read
  // from the API server; else `local` unchanged. Remembers `local` for later
  // node updates.
  model::Node effectiveNode(const model::Node& local);

 private:
  void publishMerged();
  void publishView();

  const DesiredSetOptions options_;
  const DesiredSetOutputs outputs_;
  EndpointCache cache_;

  std::optional<SourceSnapshot> manifest_;  // nullopt until the first scan
  std::optional<EndpointSnapshot> endpoint_;
  EndpointOrigin origin_ = EndpointOrigin::kCache;
  std::optional<WallTime> cacheFetchedAt_;
  EndpointView view_;
  int lastFailures_ = 0;
  std::optional<model::Node> localNode_;
  std::optional<KubeNodeInfo> node_;
};

}  // namespace daemonlet::sources
