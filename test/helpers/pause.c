/* The sandbox ("pause") process of the CRI tests' pods, packed into the test
 * pause image (test/integration/cri/support/test_images.cpp). As the kubelet's
 * pause container: it holds the pod's namespaces, sleeps until SIGTERM or SIGINT
 * and, as PID 1 of a shared PID namespace, reaps orphans. Linked statically so
 * the image needs nothing but this file. PID 1 ignores signals without a
 * handler, hence the handlers. */
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>

static volatile sig_atomic_t stopping = 0;

static void onStop(int signal) {
  (void)signal;
  stopping = 1;
}

static void onChild(int signal) {
  (void)signal;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {0};
  stop.sa_handler = onStop;
  sigaction(SIGTERM, &stop, NULL);
  sigaction(SIGINT, &stop, NULL);
  struct sigaction child = {0};
  child.sa_handler = onChild;
  child.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &child, NULL);

  /* Signals stay blocked except inside sigsuspend, so one that arrives between
   * the check and the wait is not lost. */
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGCHLD);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGINT);
  sigdelset(&waiting, SIGCHLD);
  while (!stopping) sigsuspend(&waiting);
  return 0;
}
