#ifndef AUDIT_REPORT_STDIO_H
#define AUDIT_REPORT_STDIO_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* A stdio stream whose reads, writes, seeks and close are the given functions: glibc's
   `fopencookie`, which Swift cannot see (it is declared only under _GNU_SOURCE). `read` and
   `write` return the bytes moved, or -1 with errno set (0 from `read`: the end); `seek` is
   given the offset and whence and returns the new position, or -1 with errno set. */
typedef ssize_t (*audit_report_stream_read)(void *cookie, char *buffer, size_t size);
typedef ssize_t (*audit_report_stream_write)(void *cookie, const char *buffer, size_t size);
typedef int64_t (*audit_report_stream_seek)(void *cookie, int64_t offset, int whence);
typedef int (*audit_report_stream_close)(void *cookie);

FILE *audit_report_open_stream(void *cookie, const char *mode, audit_report_stream_read read,
                               audit_report_stream_write write, audit_report_stream_seek seek,
                               audit_report_stream_close close);

/* `mkostemp(template, O_CLOEXEC)`: a new file from the template, closed on exec. */
int audit_report_make_temporary(char *path_template);

#endif
