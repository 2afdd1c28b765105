#ifndef DVPN_CSECP256K1_SHIM_H
#define DVPN_CSECP256K1_SHIM_H
// libsecp256k1 (apt: libsecp256k1-dev) with the BIP340 modules. Only DVPNCrypto imports this module.
#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <secp256k1_schnorrsig.h>
#endif
