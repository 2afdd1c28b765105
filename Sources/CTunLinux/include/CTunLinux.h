#ifndef DVPN_CTUNLINUX_H
#define DVPN_CTUNLINUX_H

/// Linux TUN device helpers. They exist because `ioctl(2)` is variadic, which Swift cannot call,
/// and because `struct ifreq` is a union Swift handles awkwardly. Each returns 0 or -errno.

/// Attaches `fd` (an open `/dev/net/tun`) to interface `name` as `IFF_TUN | IFF_NO_PI`
/// (plus `IFF_MULTI_QUEUE` when `multiQueue` is non-zero). The kernel's chosen name is written
/// back into `nameOut` (at least 16 bytes).
int dvpn_tun_attach(int fd, const char *name, int multiQueue, char *nameOut);

/// Sets the MTU of interface `name`.
int dvpn_tun_set_mtu(const char *name, int mtu);

/// Reads the MTU of interface `name` into `mtuOut`.
int dvpn_tun_get_mtu(const char *name, int *mtuOut);

/// Sets or clears IFF_UP on interface `name`.
int dvpn_tun_set_up(const char *name, int up);

#endif
