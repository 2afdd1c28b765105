#include "CTunLinux.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void copy_name(struct ifreq *ifr, const char *name) {
    memset(ifr, 0, sizeof(*ifr));
    if (name != NULL) {
        strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
    }
}

int dvpn_tun_attach(int fd, const char *name, int multiQueue, char *nameOut) {
    struct ifreq ifr;
    copy_name(&ifr, name);
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    if (multiQueue) {
        ifr.ifr_flags |= IFF_MULTI_QUEUE;
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        return -errno;
    }
    if (nameOut != NULL) {
        memcpy(nameOut, ifr.ifr_name, IFNAMSIZ);
        nameOut[IFNAMSIZ - 1] = 0;
    }
    return 0;
}

/// Interface ioctls need any socket; a datagram socket is the customary one.
static int with_control_socket(struct ifreq *ifr, unsigned long request) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) {
        return -errno;
    }
    int rc = ioctl(sock, request, ifr);
    int saved = errno;
    close(sock);
    return rc < 0 ? -saved : 0;
}

int dvpn_tun_set_mtu(const char *name, int mtu) {
    struct ifreq ifr;
    copy_name(&ifr, name);
    ifr.ifr_mtu = mtu;
    return with_control_socket(&ifr, SIOCSIFMTU);
}

int dvpn_tun_get_mtu(const char *name, int *mtuOut) {
    struct ifreq ifr;
    copy_name(&ifr, name);
    int rc = with_control_socket(&ifr, SIOCGIFMTU);
    if (rc == 0 && mtuOut != NULL) {
        *mtuOut = ifr.ifr_mtu;
    }
    return rc;
}

int dvpn_tun_set_up(const char *name, int up) {
    struct ifreq ifr;
    copy_name(&ifr, name);
    int rc = with_control_socket(&ifr, SIOCGIFFLAGS);
    if (rc != 0) {
        return rc;
    }
    if (up) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    } else {
        ifr.ifr_flags &= ~IFF_UP;
    }
    return with_control_socket(&ifr, SIOCSIFFLAGS);
}
