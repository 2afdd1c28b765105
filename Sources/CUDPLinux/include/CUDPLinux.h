#ifndef DVPN_CUDPLINUX_H
#define DVPN_CUDPLINUX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// Batched UDP sends for the tunnel. A shim because `sendmmsg(2)` and `struct mmsghdr` need
/// _GNU_SOURCE, which Swift's Glibc module does not define, and the CMSG_* macros that build the
/// UDP_SEGMENT control message are not callable from Swift.

/// One message: `length` bytes at `data` to `address`; with `segmentSize` != 0 the kernel splits
/// it into datagrams of that size (UDP generic segmentation offload, Linux 4.18).
struct dvpn_udp_message {
    const void *data;
    size_t length;
    const struct sockaddr *address;
    socklen_t addressLength;
    uint16_t segmentSize;
};

/// Sends `messages[0..<count]` (count <= 128) with one sendmmsg. Returns how many the kernel
/// took (0 < n <= count), or -errno when it refused the first one.
int dvpn_udp_sendmmsg(int fd, const struct dvpn_udp_message *messages, int count);

#endif
