#include "CTunLinux.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>

/// Separate from tun.c because it is only used by the offload path of DVPNTunnelPosix; the
/// ioctls are variadic, which Swift cannot call.
int dvpn_tun_attach_offload(int fd, const char *name, char *nameOut) {
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    if (name != NULL) {
        strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
    }
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        return -errno;
    }
    if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
        return -errno;
    }
    if (nameOut != NULL) {
        memcpy(nameOut, ifr.ifr_name, IFNAMSIZ);
        nameOut[IFNAMSIZ - 1] = 0;
    }
    return 0;
}
