# .deb and .rpm packages of the agent (`cpack -G DEB`, `cpack -G RPM` in a
# release build directory; test/integration/packaging builds and inspects both).
#
# Layout (prefix /usr): /usr/bin/daemonlet, /usr/lib/daemonlet/daemonlet-shim (found
# by the agent as ../lib/daemonlet beside its binary), the systemd unit in
# /usr/lib/systemd/system, the configuration as a conffile in /etc/daemonlet, the
# README and example manifests under /usr/share.
install(FILES ${PROJECT_SOURCE_DIR}/systemd/daemonlet.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/daemonlet.yaml DESTINATION /etc/daemonlet RENAME config.yaml)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/daemonlet)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION share/daemonlet/examples)

set(CPACK_PACKAGE_NAME daemonlet)
set(CPACK_PACKAGE_VENDOR "daemonlet")
set(CPACK_PACKAGE_CONTACT "daemonlet maintainers <daemonlet@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Node agent that runs Kubernetes DaemonSets from the node's side")
set(CPACK_PACKAGE_DESCRIPTION
    "daemonlet reads apps/v1 DaemonSets from a local directory, an HTTP(S) endpoint or a Kubernetes API server, decides from the node's own labels and taints which belong on it, and keeps them running as host processes or CRI containers.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "daemonlet-${PROJECT_VERSION}")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libcurl and libsystemd are opened with dlopen at first use (issue 3), so they
# are no longer NEEDED entries that dpkg-shlibdeps / rpm's autoreq can see: name
# them here (shlibdeps appends what it finds to this list). The sonames the
# agent opens: libcurl.so.4 (OpenSSL flavour; 7.85 for CURLOPT_PROTOCOLS_STR),
# libsystemd.so.0.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85.0), libsystemd0")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "containerd")
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
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
# No /usr/lib/.build-id links: they would clash with other packages built alike.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PROJECT_SOURCE_DIR}/packaging/rpm/postun.sh)
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/daemonlet/config.yaml")
# Directories the system already owns must not be claimed by our package.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /usr/lib/systemd /usr/lib/systemd/system /usr/share/doc)

# cpack packages what the build already made; it must not rebuild the tree
# (the test suite runs it right after building).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(CPACK_GENERATOR "DEB;RPM")
include(CPack)
