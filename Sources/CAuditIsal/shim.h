#ifndef AUDIT_REPORT_CISAL_SHIM_H
#define AUDIT_REPORT_CISAL_SHIM_H

#include <isa-l.h> /* the version macros; it includes igzip_lib.h */

/* The working memory ISA-L's level 3 asks for (a macro expression Swift cannot import). */
static inline uint32_t audit_report_isal_level3_buffer_size(void) {
    return ISAL_DEF_LVL3_DEFAULT;
}

/* The working memory ISA-L's level 1 asks for. */
static inline uint32_t audit_report_isal_level1_buffer_size(void) {
    return ISAL_DEF_LVL1_DEFAULT;
}

/* Whether the stream has written its end (the state is an enum inside the stream's state). */
static inline int audit_report_isal_ended(const struct isal_zstream *stream) {
    return stream->internal_state.state == ZSTATE_END;
}

#endif
