// Linux headers the Glibc Swift module does not export (epoll, eventfd), and a
// function for gettid(), which glibc declares only under _GNU_SOURCE.
#ifndef ILONET_CILOLINUX_H
#define ILONET_CILOLINUX_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/types.h>
#include <sys/socket.h>

pid_t ilo_gettid(void);
// accept4() is declared only under _GNU_SOURCE.
int ilo_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/// malloc_trim(3): <malloc.h> is not part of Swift's Glibc module.
int ilo_malloc_trim(void);
/// mallopt(M_MMAP_THRESHOLD, bytes): a fixed threshold above which blocks are
/// mapped on their own and unmapped when freed (glibc otherwise raises it as
/// large blocks are freed, and keeps them in its arenas).
int ilo_malloc_mmap_threshold(int bytes);

#endif
