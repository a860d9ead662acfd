#pragma once
// A small DaemonSet and the PodState made from it, for the reconciler's pure
// parts and its loop tests.
#include <memory>
#include <string>

#include "agent/reconciler/pod_state.h"

namespace daemonlet::reconciler::testing {

inline model::DaemonSet daemonSetNamed(const std::string& name) {
  model::DaemonSet ds;
  ds.apiVersion = "apps/v1";
  ds.kind = "DaemonSet";
  ds.metadata.name = name;
  ds.metadata.namespace_ = "kube-system";
  ds.metadata.uid = name + "-uid";
  ds.spec.selector = model::LabelSelector{{{"app", name}}, {}};
  ds.spec.template_.metadata.labels = {{"app", name}};
  model::Container container;
  container.name = "main";
  container.image = "host";
  container.command = {"/bin/daemon"};
  ds.spec.template_.spec.containers.push_back(container);
  ds.spec.template_.spec.runtimeClassName = "host";
  return ds;
}

inline PodState podOf(const model::DaemonSet& ds, const std::string& uid = "pod-uid") {
  PodState pod;
  pod.ref.uid = uid;
  pod.ref.namespace_ = ds.metadata.namespace_;
  pod.ref.name = ds.metadata.name + "-abcde";
  pod.ref.daemonSetName = ds.metadata.name;
  pod.ref.revision = "rev1";
  pod.daemonSetKey = ds.metadata.namespace_ + "/" + ds.metadata.name;
  pod.daemonSet = std::make_shared<const model::DaemonSet>(ds);
  initialiseSlots(pod);
  return pod;
}

}  // namespace daemonlet::reconciler::testing
