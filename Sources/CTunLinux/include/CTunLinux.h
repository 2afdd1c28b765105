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

/// Like `dvpn_tun_attach`, plus `IFF_VNET_HDR` and the offloads wireguard-go enables
/// (`TUNSETOFFLOAD` with `TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6`): every read and write then
/// starts with a 10-byte `struct virtio_net_hdr`, reads may return TCP segments of up to 64 KiB
/// for the reader to split, and writes may carry coalesced TCP segments for the kernel to take
/// whole. Returns 0 or -errno (EINVAL from TUNSETOFFLOAD on kernels without TSO for TUN).
int dvpn_tun_attach_offload(int fd, const char *name, char *nameOut);

#endif
