// Image names and pull policy, row by row against distribution/reference and
// the kubelet's defaulting and pull decision.
#include "runtime/cri/image_reference.h"

#include <gtest/gtest.h>

namespace daemonlet::runtime::cri {
namespace {

TEST(ImageReferenceTest, NormalizesAsContainerdDoes) {
  struct Row {
    const char* image;
    const char* normalized;
    const char* repository;
  };
  const Row rows[] = {
      {"busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox"},
      {"busybox:1.36", "docker.io/library/busybox:1.36", "docker.io/library/busybox"},
      {"prom/node-exporter:v1.8.2", "docker.io/prom/node-exporter:v1.8.2", "docker.io/prom/node-exporter"},
      {"docker.io/busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox"},
      {"index.docker.io/library/busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox"},
      {"quay.io/coreos/flannel:v0.15.1", "quay.io/coreos/flannel:v0.15.1", "quay.io/coreos/flannel"},
      {"localhost/busybox", "localhost/busybox:latest", "localhost/busybox"},
      {"localhost:5000/a/b/c:tag", "localhost:5000/a/b/c:tag", "localhost:5000/a/b/c"},
      {"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest", "127.0.0.1:5000/busybox"},
      {"[::1]:5000/busybox:x", "[::1]:5000/busybox:x", "[::1]:5000/busybox"},
      {"registry.k8s.io/dns/k8s-dns-node-cache:1.22.20", "registry.k8s.io/dns/k8s-dns-node-cache:1.22.20",
       "registry.k8s.io/dns/k8s-dns-node-cache"},
      {"a__b/c-d.e_f", "docker.io/a__b/c-d.e_f:latest", "docker.io/a__b/c-d.e_f"},
      {"busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "docker.io/library/busybox"},
      {"busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "docker.io/library/busybox:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
       "docker.io/library/busybox"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.image);
    auto ref = parseImageReference(row.image);
    ASSERT_TRUE(ref) << ref.error().describe();
    EXPECT_EQ(ref->normalized(), row.normalized);
    EXPECT_EQ(ref->repository(), row.repository);
  }
}

TEST(ImageReferenceTest, InvalidNamesSayWhy) {
  struct Row {
    const char* image;
    const char* why;
  };
  const Row rows[] = {
      {"", "at least one component"},
      {"Busybox", "must be lowercase"},
      {"library/Busybox", "must be lowercase"},
      {"busybox:", "invalid tag"},
      {"busybox:-x", "invalid tag"},
      {"busy box", "invalid path component"},
      {"busybox//x", "invalid path component"},
      {"-busybox", "invalid path component"},
      {"busybox@sha256:abc", "digest"},
      {"busybox@md5", "digest"},
      {"exa_mple.com/busybox", "invalid registry host"},
      {"example.com:/busybox", "invalid registry host"},
      {"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64-byte hexadecimal"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.image);
    auto ref = parseImageReference(row.image);
    ASSERT_FALSE(ref) << ref->normalized();
    EXPECT_EQ(ref.error().code, base::ErrorCode::kInvalidArgument);
    EXPECT_NE(ref.error().message.find(row.why), std::string::npos) << ref.error().message;
    EXPECT_EQ(ref.error().message.rfind("Failed to apply default image tag \"" + std::string(row.image) + "\"", 0), 0u)
        << ref.error().message;
  }
}

TEST(ImageReferenceTest, PullPolicyDefaultsAsKubernetes) {
  struct Row {
    const char* image;
    const char* explicitPolicy;
    PullPolicy expected;
  };
  const Row rows[] = {
      {"busybox", "", PullPolicy::kAlways},
      {"busybox:latest", "", PullPolicy::kAlways},
      {"busybox:1.36", "", PullPolicy::kIfNotPresent},
      {"localhost:5000/busybox", "", PullPolicy::kAlways},
      {"busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "",
       PullPolicy::kIfNotPresent},
      {"busybox", "IfNotPresent", PullPolicy::kIfNotPresent},
      {"busybox:1.36", "Always", PullPolicy::kAlways},
      {"busybox:latest", "Never", PullPolicy::kNever},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.image) + " " + row.explicitPolicy);
    model::Container c;
    c.image = row.image;
    c.imagePullPolicy = row.explicitPolicy;
    EXPECT_EQ(pullPolicyName(pullPolicyOf(c)), std::string(pullPolicyName(row.expected)));
  }
}

TEST(ImageReferenceTest, PullDecisionFollowsPolicyAndPresence) {
  EXPECT_EQ(pullDecision(PullPolicy::kAlways, true), PullDecision::kPull);
  EXPECT_EQ(pullDecision(PullPolicy::kAlways, false), PullDecision::kPull);
  EXPECT_EQ(pullDecision(PullPolicy::kIfNotPresent, true), PullDecision::kUsePresent);
  EXPECT_EQ(pullDecision(PullPolicy::kIfNotPresent, false), PullDecision::kPull);
  EXPECT_EQ(pullDecision(PullPolicy::kNever, true), PullDecision::kUsePresent);
  EXPECT_EQ(pullDecision(PullPolicy::kNever, false), PullDecision::kNeverPullMissing);
}

}  // namespace
}  // namespace daemonlet::runtime::cri
