#ifndef AUDIT_REPORT_CCRYPTO_SHIM_H
#define AUDIT_REPORT_CCRYPTO_SHIM_H

/* OpenSSL's libcrypto, for SHA-256 only: its digest uses the CPU's SHA extensions where there
   are any (about six times the speed of a portable implementation on this project's machine). */
#include <openssl/evp.h>

#endif
