# Run by cpack before each generator (CPACK_PROJECT_CONFIG_FILE, cpack.cmake).
# For the .deb: Depends = what dpkg-shlibdeps finds for the agent's own binaries
# (the daemonlet executable and the shim), after the dlopen'ed libraries
# cpack.cmake names. The CRI module is left out on purpose: its gRPC and
# protobuf are Recommends, so a host-only install does not pull them.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
file(READ "${CPACK_DAEMONLET_BINARIES_FILE}" binaries)
# dpkg-shlibdeps wants a debian/control beside it, as in a source package.
set(work "${CPACK_PACKAGE_DIRECTORY}/_shlibdeps")
file(MAKE_DIRECTORY "${work}/debian")
file(WRITE "${work}/debian/control" "Source: daemonlet\n\nPackage: daemonlet\nArchitecture: any\n")
execute_process(COMMAND dpkg-shlibdeps -O ${binaries}
                WORKING_DIRECTORY "${work}"
                OUTPUT_VARIABLE shlibs ERROR_VARIABLE errors RESULT_VARIABLE failed)
file(REMOVE_RECURSE "${work}")
if(failed OR NOT shlibs MATCHES "shlibs:Depends=([^\n]*)")
  message(FATAL_ERROR "dpkg-shlibdeps failed on ${binaries}: ${errors}")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_DEBIAN_PACKAGE_DEPENDS}, ${CMAKE_MATCH_1}")
