// C functions for OpenSSL macros that Swift cannot import.
//
// Each function here wraps exactly one macro (or a macro family) and contains no
// logic of its own; everything else is written in Swift inside ILONet. This is the
// same pattern as swift-nio-ssl's CNIOBoringSSLShims.
#ifndef ILONET_CILOSHIMS_H
#define ILONET_CILOSHIMS_H

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/bio.h>
#include "CILOLinux.h"
#include "CILOWALGather.h"

int ilo_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
int ilo_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version);
long ilo_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
int ilo_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list);
long ilo_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);
int ilo_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
int ilo_sk_GENERAL_NAME_num(const GENERAL_NAMES *names);
const GENERAL_NAME *ilo_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index);
long ilo_BIO_get_mem_data(BIO *bio, char **data);
void ilo_OPENSSL_free(void *pointer);
long ilo_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate);

// SSL_OP_* are built with the function-like macro SSL_OP_BIT in OpenSSL 3.
uint64_t ilo_SSL_OP_NO_COMPRESSION(void);
uint64_t ilo_SSL_OP_NO_RENEGOTIATION(void);
uint64_t ilo_SSL_OP_CIPHER_SERVER_PREFERENCE(void);
uint64_t ilo_SSL_OP_NO_TICKET(void);

#endif
