// daemonlet's cpp-httplib: the header every daemonlet translation unit gets for
// #include <httplib.h> (cmake/httplib.cmake puts this folder ahead of /usr/include).
//
// The library is Debian 12's own cpp-httplib source package (same version as the
// installed libcpp-httplib-dev, Debian's patches applied; fetched by
// packaging/fetch-httplib-source.sh), split the way upstream's split.py and Debian's
// build split it, and compiled once into the static library daemonlet_httplib
// (httplib_impl.cpp). Unlike Debian's libcpp-httplib.so it is built WITHOUT OpenSSL,
// zlib and brotli: the local API is plain HTTP on loopback or a unix socket, and
// Debian's build initialises OpenSSL at load time (~4.6 MiB PSS per process).
//
// One configuration for every translation unit (the compiled one and its users),
// fixed here rather than by compile flags, so the class layouts always agree (ODR).
#pragma once

#if defined(CPPHTTPLIB_OPENSSL_SUPPORT) || defined(CPPHTTPLIB_ZLIB_SUPPORT) || \
    defined(CPPHTTPLIB_BROTLI_SUPPORT)
#error "daemonlet_httplib is built without TLS/zlib/brotli; a target linking it must not also use \
Debian's libcpp-httplib (pkg-config cpp-httplib), whose flags define these macros"
#endif

// As Debian builds it: poll() instead of select(), so sockets numbered >= FD_SETSIZE work.
#ifndef CPPHTTPLIB_USE_POLL
#define CPPHTTPLIB_USE_POLL
#endif

#include <cpp-httplib/httplib.h>
