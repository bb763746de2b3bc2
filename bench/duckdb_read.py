"""A parsing reference: DuckDB reads the same inputs as `report --dry-run`.

The CSV export is read whole, every column as text, into a table; each SIEM JSON line is parsed
and its event type, time and actor e-mail are taken out. DuckDB uses every core. It does none of
the tool's work past parsing (labels, zones, de-duplication, counting), so it is the speed a user
who knows it will compare reading with, not a like-for-like job.
Usage: python3 duckdb_read.py export.csv stream.jsonl
"""
import sys

import duckdb


def main(csv_path, jsonl_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE export AS SELECT * FROM read_csv(?, header = true, all_varchar = true)", [csv_path])
    con.execute(
        "CREATE TABLE stream AS SELECT json->>'$.event.type' AS type, json->>'$.event.timestamp' AS time, "
        "json->>'$.event.actor.person.email' AS email FROM read_json_objects(?, format = 'newline_delimited')",
        [jsonl_path],
    )
    rows = con.execute("SELECT (SELECT count(*) FROM export), (SELECT count(*) FROM stream)").fetchone()
    print(f"{rows[0]} export rows, {rows[1]} stream lines")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
