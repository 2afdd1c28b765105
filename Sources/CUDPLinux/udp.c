#define _GNU_SOURCE
#include "CUDPLinux.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/uio.h>

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

enum { MAX_MESSAGES = 128 };

int dvpn_udp_sendmmsg(int fd, const struct dvpn_udp_message *messages, int count) {
    if (count <= 0) {
        return 0;
    }
    if (count > MAX_MESSAGES) {
        count = MAX_MESSAGES;
    }
    struct mmsghdr headers[MAX_MESSAGES];
    struct iovec vectors[MAX_MESSAGES];
    union {
        char buffer[CMSG_SPACE(sizeof(uint16_t))];
        struct cmsghdr align;
    } controls[MAX_MESSAGES];
    memset(headers, 0, sizeof(struct mmsghdr) * (size_t)count);
    for (int i = 0; i < count; i++) {
        vectors[i].iov_base = (void *)messages[i].data;
        vectors[i].iov_len = messages[i].length;
        struct msghdr *h = &headers[i].msg_hdr;
        h->msg_name = (void *)messages[i].address;
        h->msg_namelen = messages[i].addressLength;
        h->msg_iov = &vectors[i];
        h->msg_iovlen = 1;
        if (messages[i].segmentSize != 0) {
            memset(controls[i].buffer, 0, sizeof(controls[i].buffer));
            h->msg_control = controls[i].buffer;
            h->msg_controllen = sizeof(controls[i].buffer);
            struct cmsghdr *c = CMSG_FIRSTHDR(h);
            c->cmsg_level = SOL_UDP;
            c->cmsg_type = UDP_SEGMENT;
            c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
            uint16_t size = messages[i].segmentSize;
            memcpy(CMSG_DATA(c), &size, sizeof(size));
        }
    }
    int sent;
    do {
        sent = sendmmsg(fd, headers, (unsigned int)count, 0);
    } while (sent < 0 && errno == EINTR);
    return sent < 0 ? -errno : sent;
}
