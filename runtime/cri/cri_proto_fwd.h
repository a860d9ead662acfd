#pragma once
// Forward declarations of the CRI runtime.v1 messages the mapping produces, so
// headers that only name them need not include the generated code.
namespace runtime::v1 {
class PodSandboxConfig;
class ContainerConfig;
class Mount;
class AuthConfig;
}  // namespace runtime::v1
