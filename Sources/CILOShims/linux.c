#define _GNU_SOURCE
#include <unistd.h>
#include <sys/socket.h>
#include <malloc.h>
#include "CILOLinux.h"

pid_t ilo_gettid(void) { return gettid(); }

int ilo_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}

int ilo_malloc_trim(void) { return malloc_trim(0); }
int ilo_malloc_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
