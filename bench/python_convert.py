"""The route admins take today: a CSV export to XLSX with XlsxWriter in constant-memory mode.

Reads the tool's normalized events CSV (the same cells as the floor program), writes the first
column as a date-time and the rest as strings. Usage: python3 python_convert.py in.csv out.xlsx
"""
import csv
import sys
from datetime import datetime

import xlsxwriter

csv.field_size_limit(1 << 30)


def main(source, target):
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Events")
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    header = None
    sheets = 1
    row_number = 0
    with open(source, newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if header is None:
                header = row
            if row_number >= 1_048_576:
                # Excel's limit: go on in "Events (n)" with the header repeated, as audit-report does.
                sheets += 1
                sheet = workbook.add_worksheet(f"Events ({sheets})")
                for column, value in enumerate(header):
                    sheet.write_string(0, column, value, bold)
                row_number = 1
            for column, value in enumerate(row):
                if not value:
                    continue
                value = value[:32767]
                if row_number == 0:
                    sheet.write_string(row_number, column, value, bold)
                elif column == 0:
                    sheet.write_datetime(row_number, column, datetime.strptime(value, "%Y-%m-%d %H:%M:%S"), date)
                else:
                    sheet.write_string(row_number, column, value)
            row_number += 1
    workbook.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
