#ifndef DVPN_CSODIUM_SHIM_H
#define DVPN_CSODIUM_SHIM_H
// libsodium (apt: libsodium-dev). Only DVPNCrypto imports this module.
#include <sodium.h>
#endif
