#define _GNU_SOURCE
#include "audit_report_stdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

/* The functions the stream calls, kept in the cookie glibc hands back. */
struct audit_report_stream {
    void *cookie;
    audit_report_stream_read read;
    audit_report_stream_write write;
    audit_report_stream_seek seek;
    audit_report_stream_close close;
};

static ssize_t stream_read(void *c, char *buffer, size_t size) {
    struct audit_report_stream *s = c;
    return s->read(s->cookie, buffer, size);
}

static ssize_t stream_write(void *c, const char *buffer, size_t size) {
    struct audit_report_stream *s = c;
    /* fopencookie(3): a write function returns 0 on an error, never a negative value (the
       stream then sets its error flag; errno is left as the write set it). */
    ssize_t written = s->write(s->cookie, buffer, size);
    return written < 0 ? 0 : written;
}

static int stream_seek(void *c, off64_t *offset, int whence) {
    struct audit_report_stream *s = c;
    int64_t position = s->seek(s->cookie, (int64_t)*offset, whence);
    if (position < 0) return -1;
    *offset = (off64_t)position;
    return 0;
}

static int stream_close(void *c) {
    struct audit_report_stream *s = c;
    int result = s->close(s->cookie);
    free(s);
    return result;
}

FILE *audit_report_open_stream(void *cookie, const char *mode, audit_report_stream_read read,
                               audit_report_stream_write write, audit_report_stream_seek seek,
                               audit_report_stream_close close) {
    struct audit_report_stream *s = malloc(sizeof *s);
    if (!s) return NULL;
    s->cookie = cookie;
    s->read = read;
    s->write = write;
    s->seek = seek;
    s->close = close;
    cookie_io_functions_t functions = {stream_read, stream_write, stream_seek, stream_close};
    FILE *file = fopencookie(s, mode, functions);
    if (!file) free(s);
    return file;
}

int audit_report_make_temporary(char *path_template) {
    return mkostemp(path_template, O_CLOEXEC);
}
