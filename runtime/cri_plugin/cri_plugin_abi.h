#pragma once
// The one entry point of the CRI plugin module (daemonlet-cri.so, built from
// runtime/cri/plugin/) and the agent's loader (lazy_cri_runtime.h). Both are built
// from the same tree and installed side by side: the runtime crosses the boundary
// as a C++ object, so they must come from the same build (the version check).
//
// The module does not link the agent's own code (base, model, runtime): it
// resolves those symbols from the daemonlet executable, which exports them
// (ENABLE_EXPORTS), so the process holds one copy of each, including the static
// state inside header-only libraries such as Asio's service ids.
#include <boost/asio/io_context.hpp>

#include "runtime/cri/cri_runtime_options.h"
#include "runtime/runtime.h"

extern "C" {
// Makes the CRI runtime (name "cri") on `loop`; the caller owns the result.
daemonlet::runtime::Runtime* daemonlet_cri_create_runtime(boost::asio::io_context& loop,
                                                           const daemonlet::runtime::cri::CriRuntimeOptions& options);
// The DAEMONLET_VERSION the module was built as.
const char* daemonlet_cri_plugin_version();
}

namespace daemonlet::runtime::cri_plugin {

inline constexpr const char* kFactorySymbol = "daemonlet_cri_create_runtime";
inline constexpr const char* kVersionSymbol = "daemonlet_cri_plugin_version";
// The module's file name, beside the daemonlet binary in a build tree and in
// <prefix>/lib/daemonlet when installed (cri_plugin_location.h).
inline constexpr const char* kModuleFileName = "daemonlet-cri.so";

}  // namespace daemonlet::runtime::cri_plugin
