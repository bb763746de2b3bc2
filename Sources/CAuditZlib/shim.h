#ifndef AUDIT_REPORT_CZLIB_SHIM_H
#define AUDIT_REPORT_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a macro in zlib.h, which Swift cannot call. */
static inline int audit_report_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

/* deflateInit2 likewise: gzip framing (a header with no name and time 0, so the same data gives
   the same bytes). */
static inline int audit_report_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/* A zip entry's stream, as minizip opens it (raw deflate, no framing). */
static inline int audit_report_deflate_init_raw(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
}

static inline int audit_report_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -MAX_WBITS);
}

#endif
