# .deb and .rpm packages of the agent (`cpack -G DEB`, `cpack -G RPM` in a
# release build directory; test/integration/packaging builds and inspects both).
#
# Layout (prefix /usr): /usr/bin/daemonlet, /usr/lib/daemonlet/daemonlet-shim and
# the CRI module daemonlet-cri.so (found by the agent as ../lib/daemonlet beside
# its binary), the systemd unit in
# /usr/lib/systemd/system, the configuration as a conffile in /etc/daemonlet, the
# README and example manifests under /usr/share; the copyright, changelog and
# manual pages from packaging/package_docs.cmake.
install(FILES ${PROJECT_SOURCE_DIR}/systemd/daemonlet.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/systemd/daemonlet.slice DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/daemonlet.yaml DESTINATION /etc/daemonlet RENAME config.yaml)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/daemonlet)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION share/daemonlet/examples)
include(${CMAKE_CURRENT_LIST_DIR}/package_docs.cmake)
# One override depends on the build: an error message of nlohmann-json's
# ("dimentional") is compiled into unoptimised agents only, and lintian reports
# an override that matches nothing as well as a tag that is not overridden.
file(READ ${CMAKE_CURRENT_LIST_DIR}/deb/lintian-overrides _daemonlet_lintian_overrides)
file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/packaging/lintian-overrides CONTENT
  "${_daemonlet_lintian_overrides}$<$<CONFIG:Debug>:\n# nlohmann-json's error message in unoptimised builds, not ours.\ndaemonlet: spelling-error-in-binary dimentional dimensional [usr/bin/daemonlet]\n>")
install(FILES ${CMAKE_BINARY_DIR}/packaging/lintian-overrides DESTINATION share/lintian/overrides RENAME daemonlet)

# Resolve every symbol at load and make the relocations read-only after (what
# dpkg-buildflags' hardening asks; lintian checks it): one link option on the
# packaged binaries, no code change.
foreach(_packaged daemonlet daemonlet-shim daemonlet-cri)
  if(TARGET ${_packaged})
    set_property(TARGET ${_packaged} APPEND PROPERTY LINK_OPTIONS -Wl,-z,relro,-z,now)
  endif()
endforeach()

set(CPACK_PACKAGE_NAME daemonlet)
set(CPACK_PACKAGE_VENDOR "daemonlet")
set(CPACK_PACKAGE_CONTACT "${DAEMONLET_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${DAEMONLET_PACKAGE_HOMEPAGE}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Node agent that runs Kubernetes DaemonSets from the node's side")
# The long description, wrapped for dpkg and rpm (lines under 80 columns).
set(CPACK_PACKAGE_DESCRIPTION "daemonlet reads apps/v1 DaemonSets from a local directory, an HTTP(S)
endpoint or a Kubernetes API server, decides from the node's own labels
and taints which of them belong on it, with the rules of the Kubernetes
DaemonSet controller, and keeps them running as host processes or as
containers of a CRI runtime such as containerd. Daemons outlive the agent:
a restarted or upgraded agent adopts them. It needs no cluster.")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "daemonlet-${PROJECT_VERSION}")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
# dpkg-shlibdeps computes Depends from the agent's binaries, but not from the
# CRI module (daemonlet-cri.so): a host-only install needs no gRPC, so the
# module's libraries are Recommends, named by runtime/cri_plugin/CMakeLists.txt
# (the loader's error names the same packages). CPack's own shlibdeps step
# would scan every ELF file, the module too; packaging/deb_depends.cmake runs it
# at cpack time on the binaries only.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(DAEMONLET_DEB_SHLIBDEPS_BINARIES "$<TARGET_FILE:daemonlet>;$<TARGET_FILE:daemonlet-shim>")
# libcurl and libsystemd are opened with dlopen at first use (issue 3), so they
# are no longer NEEDED entries that dpkg-shlibdeps / rpm's autoreq can see: name
# them here (shlibdeps appends what it finds to this list). The sonames the
# agent opens: libcurl.so.4 (OpenSSL flavour; 7.85 for CURLOPT_PROTOCOLS_STR),
# libsystemd.so.0.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85.0), libsystemd0")
# containerd is only suggested: the default (host pods from the manifest
# directory) needs no container runtime, and recommending it would install and
# start one (39 packages) on every node that never asks for the CRI.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "${DAEMONLET_CRI_RUNTIME_PACKAGES}")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "containerd")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${DAEMONLET_PACKAGE_HOMEPAGE}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/packaging/deb/conffiles;${PROJECT_SOURCE_DIR}/packaging/deb/postinst;${PROJECT_SOURCE_DIR}/packaging/deb/prerm;${PROJECT_SOURCE_DIR}/packaging/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# The dlopen'ed libraries by soname capability, as autoreq would have written
# them; this matches every distribution's package name (libcurl or
# libcurl-minimal, systemd-libs, SUSE's libcurl4/libsystemd0).
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(CPACK_RPM_PACKAGE_REQUIRES "libcurl.so.4()(64bit), libsystemd.so.0()(64bit)")
else()
  set(CPACK_RPM_PACKAGE_REQUIRES "libcurl.so.4, libsystemd.so.0")
endif()
# Not relocatable: the unit names /usr/bin/daemonlet, and the agent finds its
# shim in ../lib/daemonlet. CPack makes every package relocatable by default.
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_URL "${DAEMONLET_PACKAGE_HOMEPAGE}")
set(CPACK_RPM_CHANGELOG_FILE "${DAEMONLET_RPM_CHANGELOG}")
# No /usr/lib/.build-id links: they would clash with other packages built alike.
# The CRI module's gRPC and protobuf are not required (a host-only install needs
# neither): autoreq skips the module, and its libraries are recommended by
# soname (CPack has no Recommends variable; these lines land in the preamble).
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none
%global __requires_exclude_from ^/usr/lib/daemonlet/daemonlet-cri.so$
Packager: ${DAEMONLET_PACKAGE_MAINTAINER}
Recommends: libgrpc++.so.1.51()(64bit), libprotobuf.so.32()(64bit)")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/postun.sh)
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/daemonlet/config.yaml")
# Directories the system already owns must not be claimed by our package.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /usr/lib/systemd /usr/lib/systemd/system /usr/share/doc
    /usr/share/man /usr/share/man/man5 /usr/share/man/man8)

# cpack packages what the build already made; it must not rebuild the tree
# (the test suite runs it right after building).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR "DEB;RPM")
# Generator expressions in the binaries' paths: written out at generate time for
# the cpack-time script.
set(CPACK_DAEMONLET_BINARIES_FILE ${CMAKE_BINARY_DIR}/cpack_deb_binaries.txt)
file(GENERATE OUTPUT ${CPACK_DAEMONLET_BINARIES_FILE} CONTENT "${DAEMONLET_DEB_SHLIBDEPS_BINARIES}")
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/packaging/deb_depends.cmake)
include(CPack)
