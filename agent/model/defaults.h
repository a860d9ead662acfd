#pragma once
// Kubernetes' apps/v1 + core/v1 defaulting, applied to the JSON object before it
// is decoded, as the API server does (defaults first, then validation). Working on
// JSON keeps unknown fields and makes the revision hash see defaulted and explicit
// fields alike. Tolerant of wrong types: those are left for the decoder to report.
#include "agent/model/types.h"

namespace daemonlet::model {

// `daemonSet` is the whole DaemonSet object. Defaults: metadata.namespace
// "default"; updateStrategy RollingUpdate with maxUnavailable 1 / maxSurge 0;
// revisionHistoryLimit 10; pod restartPolicy Always, terminationGracePeriodSeconds
// 30, dnsPolicy ClusterFirst, schedulerName default-scheduler, securityContext {};
// container terminationMessagePath/Policy, imagePullPolicy, port protocol TCP
// (hostPort = containerPort with hostNetwork), probe timings and httpGet scheme,
// fieldRef apiVersion v1, hostPath type ""; resource quantities canonicalised;
// limits copied to missing requests. Also drops fields that Go would omit when
// zero (non-pointer omitempty fields) so explicit zero and absent are one thing.
void applyDefaults(Json& daemonSet);

}  // namespace daemonlet::model
