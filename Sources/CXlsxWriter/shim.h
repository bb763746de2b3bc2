#ifndef AUDIT_REPORT_CXLSXWRITER_SHIM_H
#define AUDIT_REPORT_CXLSXWRITER_SHIM_H

#include <xlsxwriter.h>

/* lxw_workbook_options gains fields between versions, so Swift cannot use a memberwise
   initializer; these setters keep the Swift side independent of the struct layout. */
static inline void audit_report_set_tmpdir(lxw_workbook_options *options, char *tmpdir) {
    options->tmpdir = tmpdir;
}

static inline void audit_report_set_constant_memory(lxw_workbook_options *options, int on) {
    options->constant_memory = (uint8_t)(on ? LXW_TRUE : LXW_FALSE);
}

#endif
