#ifndef ILONET_COPENSSL_H
#define ILONET_COPENSSL_H
#include <openssl/opensslv.h>
#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "ILONet needs OpenSSL 3.0 or newer (install libssl-dev from a current distribution)"
#endif
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif
