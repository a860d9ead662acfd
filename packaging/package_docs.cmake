# The documents Debian policy asks of a package (included by cpack.cmake):
# /usr/share/doc/daemonlet/copyright (machine-readable), the changelog, and the
# manual pages, gzip'd as dh_compress would (-9n: no name or time stamp, so
# rebuilds are byte-identical). The .rpm carries the same files (the man pages
# and changelog are at home there too; its own changelog is the spec's).
#
# Who maintains the package and where it lives: one place for the .deb's
# Maintainer, the copyright's contact, both changelogs and the .rpm's Packager.
set(DAEMONLET_PACKAGE_MAINTAINER "daemonlet maintainers <maintainers@users.noreply.r-seed-18c235f1.example>"
    CACHE STRING "Package maintainer, \"Name <address>\"")
set(DAEMONLET_PACKAGE_HOMEPAGE "https://r-seed-18c235f1.example/daemonlet" CACHE STRING "Project home page")

set(_docs "${CMAKE_BINARY_DIR}/package_docs")

# The copyright file quotes the licence texts of the code compiled in, from the
# files they came with: cpp-httplib's LICENSE (the Expat text, below its
# copyright line) and Boost's copyright file (the stand-alone BSL-1.0 text).
file(STRINGS "${DAEMONLET_HTTPLIB_SOURCE_DIR}/LICENSE" _expat_lines)
set(DAEMONLET_EXPAT_TEXT "")
set(_in_text FALSE)
foreach(_line IN LISTS _expat_lines)
  if(_line MATCHES "^Permission")
    set(_in_text TRUE)
  endif()
  if(_in_text)
    if(_line STREQUAL "")
      string(APPEND DAEMONLET_EXPAT_TEXT " .\n")
    else()
      string(APPEND DAEMONLET_EXPAT_TEXT " ${_line}\n")
    endif()
  endif()
endforeach()
file(GLOB _boost_copyright_files /usr/share/doc/libboost1.*-dev/copyright)
if(NOT _boost_copyright_files)
  message(FATAL_ERROR "no /usr/share/doc/libboost1.*-dev/copyright: install libboost-dev")
endif()
list(GET _boost_copyright_files 0 _boost_copyright_file)
file(READ "${_boost_copyright_file}" _boost_copyright)
string(REGEX MATCHALL "\nLicense: BSL-1.0\n( [^\n]*\n)+" _bsl_paragraphs "${_boost_copyright}")
list(GET _bsl_paragraphs -1 _bsl)
string(REGEX REPLACE "^\nLicense: BSL-1.0\n" "" DAEMONLET_BSL_TEXT "${_bsl}")
string(REGEX REPLACE "\n( \\.\n)+$" "\n" DAEMONLET_EXPAT_TEXT "${DAEMONLET_EXPAT_TEXT}")
string(REGEX REPLACE "\n$" "" DAEMONLET_EXPAT_TEXT "${DAEMONLET_EXPAT_TEXT}")
string(REGEX REPLACE "\n$" "" DAEMONLET_BSL_TEXT "${DAEMONLET_BSL_TEXT}")
get_filename_component(_httplib_dir "${DAEMONLET_HTTPLIB_SOURCE_DIR}" NAME)
string(REGEX REPLACE "^cpp-httplib-" "" DAEMONLET_HTTPLIB_VERSION "${_httplib_dir}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/deb/copyright.in ${_docs}/copyright @ONLY)
install(FILES ${_docs}/copyright DESTINATION share/doc/daemonlet)

# Plain text, gzip'd below. The version is the native Debian version
# (no revision), so Debian names the file changelog.gz, not changelog.Debian.gz.
configure_file(${CMAKE_CURRENT_LIST_DIR}/deb/changelog.in ${_docs}/changelog @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/rpm/changelog.in ${_docs}/rpm-changelog @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/man/daemonlet.8 ${_docs}/daemonlet.8 @ONLY)
configure_file(${CMAKE_CURRENT_LIST_DIR}/man/daemonlet.yaml.5 ${_docs}/daemonlet.yaml.5 @ONLY)

set(_compressed "")
foreach(_name changelog daemonlet.8 daemonlet.yaml.5)
  add_custom_command(OUTPUT ${_docs}/${_name}.gz
                     COMMAND gzip -9nc ${_docs}/${_name} > ${_docs}/${_name}.gz
                     DEPENDS ${_docs}/${_name}
                     COMMENT "gzip ${_name}")
  list(APPEND _compressed ${_docs}/${_name}.gz)
endforeach()
# Part of every build: cpack packages what the build made and builds nothing.
add_custom_target(daemonlet_package_docs ALL DEPENDS ${_compressed})
install(FILES ${_docs}/changelog.gz DESTINATION share/doc/daemonlet)
install(FILES ${_docs}/daemonlet.8.gz DESTINATION share/man/man8)
install(FILES ${_docs}/daemonlet.yaml.5.gz DESTINATION share/man/man5)
set(DAEMONLET_RPM_CHANGELOG ${_docs}/rpm-changelog)
