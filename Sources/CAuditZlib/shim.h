#ifndef AUDIT_REPORT_CZLIB_SHIM_H
#define AUDIT_REPORT_CZLIB_SHIM_H

#include <zlib.h>

/* inflateInit2 is a macro in zlib.h, which Swift cannot call. */
static inline int audit_report_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
