// daemonlet_test_helper: a daemon stand-in whose behaviour tests choose exactly,
// instead of shell scripts.
//   exit N            exit with status N
//   crash             abort() (SIGABRT)
//   sleep             run until killed
//   ignore-sigterm    ignore SIGTERM, print "ready", run until SIGKILL
//   print N LINE      print "LINE <i>" N times to stdout and "LINE <i> err" to stderr, exit 0
//   partial           write "no newline" to stdout without a newline, exit 0
//   show-env NAME...  print NAME=value (or NAME unset) per name and the working
//                     directory as "cwd=<dir>", then run until killed
//   spawn-child       start a child in the same process group, print "child=<pid>",
//                     run until killed (for process-group tests)
//   serve-health PORT listen on 127.0.0.1:PORT (0: any), print "port=<port>",
//                     answer every connection with HTTP 200, run until killed
//   spam BYTES        write about BYTES bytes of numbered lines to stdout, then sleep
//   escape N THEN     start N children that leave the process group and session
//                     (setsid) and run until killed, print "escaped=<pid>" per
//                     child, then THEN: "sleep" (run until killed) or "exit"
//                     (exit 1 at once: a crash loop that leaves processes behind)
//   exit-until N FILE count the starts in FILE; exit 1 until this is the Nth
//                     start, then run until killed
//   note-sigterm FILE on SIGTERM append "sigterm" to FILE and exit 0; print
//                     "ready" once the handler is in place, run until then
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void sleepForever() {
  for (;;) ::pause();
}

int usage() {
  std::fprintf(stderr,
               "usage: daemonlet_test_helper exit N | crash | sleep | ignore-sigterm | print N LINE | partial |\n"
               "       show-env NAME... | spawn-child | serve-health PORT | spam BYTES |\n"
               "       escape N sleep|exit | exit-until N FILE | note-sigterm FILE\n");
  return 2;
}

int serveHealth(int port) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 16) != 0) {
    std::perror("listen");
    return 1;
  }
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::printf("port=%d\n", ntohs(address.sin_port));
  std::fflush(stdout);
  const char response[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
  for (;;) {
    int connection = ::accept(listener, nullptr, nullptr);
    if (connection < 0) continue;
    char request[1024];
    (void)!::read(connection, request, sizeof request);
    (void)!::write(connection, response, sizeof response - 1);
    ::close(connection);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string command = argv[1];
  if (command == "exit" && argc == 3) return std::atoi(argv[2]);
  if (command == "crash") std::abort();
  if (command == "sleep") sleepForever();
  if (command == "ignore-sigterm") {
    ::signal(SIGTERM, SIG_IGN);
    std::printf("ready\n");
    std::fflush(stdout);
    sleepForever();
  }
  if (command == "print" && argc == 4) {
    int count = std::atoi(argv[2]);
    for (int i = 0; i < count; ++i) {
      std::printf("%s %d\n", argv[3], i);
      std::fprintf(stderr, "%s %d err\n", argv[3], i);
    }
    return 0;
  }
  if (command == "partial") {
    std::printf("no newline");
    return 0;
  }
  if (command == "show-env") {
    for (int i = 2; i < argc; ++i) {
      const char* value = std::getenv(argv[i]);
      if (value != nullptr) {
        std::printf("%s=%s\n", argv[i], value);
      } else {
        std::printf("%s unset\n", argv[i]);
      }
    }
    char cwd[4096];
    std::printf("cwd=%s\n", ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : "?");
    std::printf("uid=%d gid=%d\n", static_cast<int>(::getuid()), static_cast<int>(::getgid()));
    std::fflush(stdout);
    sleepForever();
  }
  if (command == "spawn-child") {
    pid_t child = ::fork();
    if (child == 0) sleepForever();
    std::printf("child=%d\n", static_cast<int>(child));
    std::fflush(stdout);
    sleepForever();
  }
  if (command == "note-sigterm" && argc == 3) {
    static const char* noteFile = argv[2];
    ::signal(SIGTERM, [](int) {  // open/write/_exit: async-signal-safe
      int fd = ::open(noteFile, O_WRONLY | O_APPEND | O_CREAT, 0644);
      if (fd >= 0) {
        (void)!::write(fd, "sigterm\n", 8);
        ::close(fd);
      }
      ::_exit(0);
    });
    std::printf("ready\n");
    std::fflush(stdout);
    sleepForever();
  }
  if (command == "serve-health" && argc == 3) return serveHealth(std::atoi(argv[2]));
  if (command == "escape" && argc == 4) {
    int count = std::atoi(argv[2]);
    for (int i = 0; i < count; ++i) {
      pid_t child = ::fork();
      if (child == 0) {
        ::setsid();
        sleepForever();
      }
      std::printf("escaped=%d\n", static_cast<int>(child));
    }
    std::fflush(stdout);
    if (std::strcmp(argv[3], "exit") == 0) return 1;
    sleepForever();
  }
  if (command == "exit-until" && argc == 4) {
    int wanted = std::atoi(argv[2]);
    int starts = 0;
    if (FILE* in = std::fopen(argv[3], "r")) {
      if (std::fscanf(in, "%d", &starts) != 1) starts = 0;
      std::fclose(in);
    }
    ++starts;
    if (FILE* out = std::fopen(argv[3], "w")) {
      std::fprintf(out, "%d\n", starts);
      std::fclose(out);
    }
    std::printf("start %d\n", starts);
    std::fflush(stdout);
    if (starts < wanted) return 1;
    sleepForever();
  }
  if (command == "spam" && argc == 3) {
    long total = std::atol(argv[2]);
    long written = 0;
    for (long line = 0; written < total; ++line) {
      written += std::printf("spam line %08ld with some padding to make it longer\n", line);
    }
    std::fflush(stdout);
    sleepForever();
  }
  return usage();
}
