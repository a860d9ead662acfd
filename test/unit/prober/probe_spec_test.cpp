// Pure parts of the prober: defaults, port resolution, URL building and the
// gRPC health-check wire format.
#include "agent/prober/probe_spec.h"

#include <gtest/gtest.h>

#include "agent/prober/probe_exec.h"
#include "agent/prober/probe_grpc.h"
#include "agent/prober/probe_http.h"

namespace daemonlet::prober {
namespace {

TEST(ProbeTimingTest, AppliesKubernetesDefaultsToUnsetFields) {
  struct Case {
    const char* name;
    ProbeKind kind;
    std::int32_t initialDelay, timeout, period, success, failure;
    std::int64_t wantDelay, wantTimeoutMs, wantPeriod;
    int wantSuccess, wantFailure;
  };
  const Case cases[] = {
      {"all unset", ProbeKind::kReadiness, 0, 0, 0, 0, 0, 0, 1000, 10, 1, 3},
      {"all set", ProbeKind::kReadiness, 5, 2, 7, 4, 6, 5, 2000, 7, 4, 6},
      {"negative counts as unset", ProbeKind::kReadiness, -1, -1, -1, -1, -1, 0, 1000, 10, 1, 3},
      {"liveness success threshold is always 1", ProbeKind::kLiveness, 0, 0, 0, 5, 0, 0, 1000, 10, 1, 3},
      {"startup success threshold is always 1", ProbeKind::kStartup, 0, 0, 0, 5, 30, 0, 1000, 10, 1, 30},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    model::Probe probe;
    probe.initialDelaySeconds = c.initialDelay;
    probe.timeoutSeconds = c.timeout;
    probe.periodSeconds = c.period;
    probe.successThreshold = c.success;
    probe.failureThreshold = c.failure;
    ProbeTiming timing = probeTiming(probe, c.kind);
    EXPECT_EQ(timing.initialDelay.count(), c.wantDelay);
    EXPECT_EQ(timing.timeout.count(), c.wantTimeoutMs);
    EXPECT_EQ(timing.period.count(), c.wantPeriod);
    EXPECT_EQ(timing.successThreshold, c.wantSuccess);
    EXPECT_EQ(timing.failureThreshold, c.wantFailure);
  }
}

TEST(ResolveProbePortTest, NumbersNamesAndErrors) {
  model::Container container;
  container.name = "app";
  container.ports.push_back({"http", 8080, 8080, "TCP", ""});
  container.ports.push_back({"bad", 70000, 0, "TCP", ""});
  struct Case {
    const char* name;
    model::IntOrString port;
    int want;  // 0: error
  };
  const Case cases[] = {
      {"number", model::IntOrString::fromInt(9000), 9000},
      {"named", model::IntOrString::fromString("http"), 8080},
      {"numeric string", model::IntOrString::fromString("9100"), 9100},
      {"unknown name", model::IntOrString::fromString("metrics"), 0},
      {"zero", model::IntOrString::fromInt(0), 0},
      {"too large", model::IntOrString::fromInt(65536), 0},
      {"named port out of range", model::IntOrString::fromString("bad"), 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto port = resolveProbePort(c.port, container);
    if (c.want == 0) {
      EXPECT_FALSE(port.has_value());
    } else {
      ASSERT_TRUE(port.has_value()) << port.error().message;
      EXPECT_EQ(*port, c.want);
    }
  }
}

TEST(ResolveProbeTest, HostDefaultsToTargetAndProbeWithoutHandlerFails) {
  model::Container container;
  ProbeTarget target;
  target.host = "10.0.0.7";
  model::Probe tcp;
  tcp.tcpSocket = model::TcpSocketAction{model::IntOrString::fromInt(80), ""};
  auto resolved = resolveProbe(tcp, ProbeKind::kReadiness, container, target);
  EXPECT_TRUE(resolved.error.empty());
  EXPECT_EQ(std::get<TcpProbeRequest>(resolved.handler).host, "10.0.0.7");

  tcp.tcpSocket->host = "127.0.0.2";
  resolved = resolveProbe(tcp, ProbeKind::kReadiness, container, target);
  EXPECT_EQ(std::get<TcpProbeRequest>(resolved.handler).host, "127.0.0.2");

  EXPECT_FALSE(resolveProbe(model::Probe{}, ProbeKind::kLiveness, container, target).error.empty());
}

TEST(HttpProbeUrlTest, BuildsUrls) {
  struct Case {
    const char* scheme;
    const char* host;
    const char* path;
    const char* want;
  };
  const Case cases[] = {
      {"HTTP", "127.0.0.1", "/healthz", "http://127.0.0.1:8080/healthz"},
      {"HTTPS", "example.test", "healthz?x=1", "https://example.test:8080/healthz?x=1"},
      {"", "::1", "", "http://[::1]:8080/"},
      {"FTP", "127.0.0.1", "/", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.want);
    HttpProbeRequest request;
    request.scheme = c.scheme;
    request.host = c.host;
    request.port = 8080;
    request.path = c.path;
    EXPECT_EQ(httpProbeUrl(request), c.want);
  }
}

TEST(GrpcWireTest, EncodesRequestAndDecodesStatus) {
  EXPECT_EQ(encodeHealthCheckRequest(""), std::string("\0\0\0\0\0", 5));
  EXPECT_EQ(encodeHealthCheckRequest("db"), std::string("\0\0\0\0\4\x0a\x02"
                                                        "db",
                                                        9));
  EXPECT_EQ(decodeHealthCheckStatus(std::string("\0\0\0\0\2\x08\x01", 7)), 1);
  EXPECT_EQ(decodeHealthCheckStatus(std::string("\0\0\0\0\2\x08\x02", 7)), 2);
  EXPECT_EQ(decodeHealthCheckStatus(std::string("\0\0\0\0\0", 5)), 0);  // UNKNOWN by default
  EXPECT_FALSE(decodeHealthCheckStatus(std::string("\0\0\0\0\5\x08", 6)).has_value());
  EXPECT_FALSE(decodeHealthCheckStatus(std::string("\1\0\0\0\0", 5)).has_value());
}

TEST(ResolveExecutableTest, SearchesTheContainerPath) {
  EXPECT_EQ(resolveExecutable("/no/such/thing", {}), "/no/such/thing");  // paths are used as given
  EXPECT_EQ(resolveExecutable("true", {{"PATH", "/nonexistent:/bin"}}), "/bin/true");
  EXPECT_EQ(resolveExecutable("true", {{"PATH", "/nonexistent"}}), "");
  EXPECT_FALSE(resolveExecutable("true", {}).empty());  // the default PATH
}

}  // namespace
}  // namespace daemonlet::prober
