/*
 * The floor for `audit-report convert … -o x.xlsx`: reads the tool's own normalized events
 * CSV (as `convert -o x.csv` writes it) and writes the same cells with libxlsxwriter in
 * constant-memory mode, nothing else: the first column as a date-time number, the rest as
 * strings. Whatever audit-report does beyond this (parsing Notion's formats, sorting,
 * deduplicating, localizing, the summary) is what the ratio against this program measures.
 *
 * Build: cc -O2 bench/floor.c -o floor $(pkg-config --cflags --libs xlsxwriter)
 * Run:   ./floor events.csv out.xlsx
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

static int next_field(FILE *in, char **buf, size_t *cap, size_t *len, int *end_of_record) {
    int c = fgetc(in);
    *len = 0;
    *end_of_record = 0;
    if (c == EOF) return 0;
    int quoted = c == '"';
    if (!quoted) ungetc(c, in);
    for (;;) {
        c = fgetc(in);
        if (c == EOF) { *end_of_record = 1; break; }
        if (quoted) {
            if (c == '"') {
                int d = fgetc(in);
                if (d == '"') { /* literal quote */ }
                else { quoted = 0; if (d != EOF) ungetc(d, in); continue; }
            }
        } else {
            if (c == ',') break;
            if (c == '\r') continue;
            if (c == '\n') { *end_of_record = 1; break; }
        }
        if (*len + 2 > *cap) { *cap = *cap ? *cap * 2 : 4096; *buf = realloc(*buf, *cap); }
        (*buf)[(*len)++] = (char)c;
    }
    if (*cap == 0) { *cap = 16; *buf = malloc(*cap); }
    (*buf)[*len] = 0;
    return 1;
}

/* "2026-10-15 12:34:56" → Excel serial. */
static double serial(const char *s) {
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6) return 0;
    int yy = mo <= 2 ? y - 1 : y;
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = (long)era * 146097 + doe - 719468; /* since 1970-01-01 */
    return (double)(days + 25569) + (h * 3600 + mi * 60 + se) / 86400.0;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: floor events.csv out.xlsx\n"); return 64; }
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 1; }
    lxw_workbook_options options = {0};
    options.constant_memory = LXW_TRUE;
    lxw_workbook *wb = workbook_new_opt(argv[2], &options);
    if (!wb) { fprintf(stderr, "cannot create %s\n", argv[2]); return 1; }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Events");
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd hh:mm:ss");
    lxw_format *bold = workbook_add_format(wb);
    format_set_bold(bold);
    /* The header, kept to repeat it on each further sheet as audit-report does. */
    char **header = NULL;
    lxw_col_t header_count = 0;
    int sheets = 1;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    int eor = 0;
    lxw_row_t row = 0;
    lxw_col_t col = 0;
    while (next_field(in, &buf, &cap, &len, &eor)) {
        lxw_error e = LXW_NO_ERROR;
        if (len > 32767) {
            /* Excel's cell limit, as audit-report cuts it: at a UTF-8 character boundary. */
            len = 32767;
            while (len > 0 && ((unsigned char)buf[len] & 0xC0) == 0x80) len--;
            buf[len] = 0;
        }
        if (len > 0) {
            if (row == 0) e = worksheet_write_string(ws, row, col, buf, bold);
            else if (col == 0) e = worksheet_write_number(ws, row, col, serial(buf), date);
            else e = worksheet_write_string(ws, row, col, buf, NULL);
        }
        if (e != LXW_NO_ERROR) { fprintf(stderr, "row %u: %s\n", row, lxw_strerror(e)); return 1; }
        if (eor) { row++; col = 0; } else col++;
        if (row >= 1048576) {
            /* Excel's limit: go on in "Events (n)" with the header repeated. */
            char name[32];
            snprintf(name, sizeof name, "Events (%d)", ++sheets);
            ws = workbook_add_worksheet(wb, name);
            for (lxw_col_t c = 0; c < header_count; c++) worksheet_write_string(ws, 0, c, header[c], bold);
            row = 1;
        }
    }
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) { fprintf(stderr, "%s\n", lxw_strerror(e)); return 1; }
    printf("%d sheets\n", sheets);
    return 0;
}
