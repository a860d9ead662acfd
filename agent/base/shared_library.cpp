#include "agent/base/shared_library.h"

#include <dlfcn.h>

namespace daemonlet::base {
namespace {

// dlerror() reports through one slot per thread; read it right after the failing call.
std::string lastDlError(const char* fallback) {
  const char* text = ::dlerror();
  return text != nullptr ? std::string(text) : std::string(fallback);
}

}  // namespace

Result<SharedLibrary> SharedLibrary::open(const std::string& soname, const std::string& package) {
  // RTLD_LOCAL: the library's symbols serve only our explicit lookups and cannot
  // clash with anything loaded later. RTLD_NOW: a broken install fails here,
  // not in the middle of a request.
  void* handle = ::dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    // dlerror's text already starts with the soname ("libcurl.so.4: cannot open ...")
    // unless a dependency of it is what failed ("libgrpc++.so.1.51: cannot open ..."),
    // which is kept: it names what to install.
    std::string message = lastDlError("cannot open shared object file");
    if (message.find(soname) == std::string::npos) message = soname + ": " + message;
    if (!package.empty()) message += " (install Debian package " + package + ")";
    return makeError(ErrorCode::kNotFound, std::move(message));
  }
  return SharedLibrary(soname, handle);
}

Result<void*> SharedLibrary::symbol(const std::string& name) const {
  ::dlerror();  // clear a stale error: a symbol may legitimately be null
  void* address = ::dlsym(handle_, name.c_str());
  if (address == nullptr) {
    (void)::dlerror();
    return makeError(ErrorCode::kNotFound, soname_ + ": undefined symbol " + name + " (library too old?)");
  }
  return address;
}

}  // namespace daemonlet::base
