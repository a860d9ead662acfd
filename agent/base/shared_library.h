#pragma once
// A shared library opened with dlopen at first use instead of at program start.
// Optional dependencies (libcurl, libsystemd) cost megabytes of mapped memory
// for their own dependency chains; an agent that never makes an HTTP request or
// never runs under systemd should not pay for them.
//
// A library once opened stays loaded for the life of the process (no dlclose):
// callers keep function pointers into it, and libraries such as libcurl are not
// safe to unload while other threads may still be finishing with them.
#include <cstring>
#include <string>
#include <utility>

#include "agent/base/result.h"

namespace daemonlet::base {

class SharedLibrary {
 public:
  // Opens `soname` (e.g. "libcurl.so.4"). `package` names the distribution
  // package that ships it, for the error message ("install Debian package ...").
  static Result<SharedLibrary> open(const std::string& soname, const std::string& package);

  const std::string& soname() const { return soname_; }

  // The address of an exported symbol; the error names the library and symbol.
  Result<void*> symbol(const std::string& name) const;

  // Resolves a function into `slot`, typed as the caller's function pointer
  // (usually decltype(&::the_function) from the library's own header).
  template <typename Function>
  Status bind(Function*& slot, const std::string& name) const {
    Result<void*> address = symbol(name);
    if (!address) return address.error();
    // POSIX guarantees that a data pointer from dlsym converts to a function
    // pointer; memcpy spells the conversion without a pedantic warning.
    static_assert(sizeof(slot) == sizeof(void*));
    std::memcpy(&slot, &*address, sizeof(slot));
    return Ok{};
  }

 private:
  SharedLibrary(std::string soname, void* handle) : soname_(std::move(soname)), handle_(handle) {}

  std::string soname_;
  void* handle_ = nullptr;  // never closed, see above
};

}  // namespace daemonlet::base
