// fake-kube-apiserver: the test fake of a Kubernetes API server as a process,
// for end-to-end tests of `daemonlet run` in Kubernetes API mode. TEST ONLY.
//
//   fake-kube-apiserver [--host H] [--port N] [--token T | --token-file F]
//                       [--tls-cert F --tls-key F] [--bookmark-interval-ms N]
//                       [--port-file F]
// Prints "listening on URL" on stdout once ready (and writes the port to
// --port-file), then serves until SIGTERM/SIGINT. Objects are changed through
// the /__control/ paths documented in fake_kube_apiserver.h.
#include <signal.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "fake_kube_apiserver.h"

int main(int argc, char** argv) {
  using daemonlet::fakekube::FakeKubeApiServer;
  daemonlet::fakekube::FakeKubeApiServerOptions options;
  std::string portFile;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "fake-kube-apiserver: " << flag << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--host") options.host = value();
    else if (flag == "--port") options.port = std::stoi(value());
    else if (flag == "--token") options.bearerToken = value();
    else if (flag == "--token-file") {
      std::ifstream in(value());
      std::stringstream text;
      text << in.rdbuf();
      options.bearerToken = text.str();
      while (!options.bearerToken.empty() && std::isspace(static_cast<unsigned char>(options.bearerToken.back()))) {
        options.bearerToken.pop_back();
      }
    } else if (flag == "--tls-cert") options.tlsCertFile = value();
    else if (flag == "--tls-key") options.tlsKeyFile = value();
    else if (flag == "--bookmark-interval-ms") options.bookmarkInterval = std::chrono::milliseconds(std::stol(value()));
    else if (flag == "--port-file") portFile = value();
    else {
      std::cerr << "fake-kube-apiserver: unknown flag " << flag << "\n";
      return 2;
    }
  }

  // Block the signals before any thread starts, then wait for one.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  FakeKubeApiServer server(options);
  if (!server.start()) {
    std::cerr << "fake-kube-apiserver: cannot listen on " << options.host << ":" << options.port << "\n";
    return 1;
  }
  if (!portFile.empty()) {
    std::ofstream out(portFile + ".tmp");
    out << server.port() << "\n";
    out.close();
    std::rename((portFile + ".tmp").c_str(), portFile.c_str());
  }
  std::cout << "listening on " << server.url() << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  return 0;
}
