// The entry points of daemonlet-cri.so (declared in runtime/cri_plugin/cri_plugin_abi.h).
#include "runtime/cri/cri_runtime.h"
#include "runtime/cri_plugin/cri_plugin_abi.h"

extern "C" {

daemonlet::runtime::Runtime* daemonlet_cri_create_runtime(boost::asio::io_context& loop,
                                                           const daemonlet::runtime::cri::CriRuntimeOptions& options) {
  return new daemonlet::runtime::cri::CriRuntime(loop, options);
}

const char* daemonlet_cri_plugin_version() { return DAEMONLET_VERSION; }

}  // extern "C"
