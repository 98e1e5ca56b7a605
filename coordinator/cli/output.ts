/** How CLI commands print: aligned columns for people, one JSON document with `--json`. */

export type Output = {
  json: boolean;
  /** Prints `value` as JSON, or calls `human` to print it for people. */
  result(value: unknown, human: () => void): void;
  line(text?: string): void;
  table(rows: ReadonlyArray<Record<string, string | number | null | undefined>>, columns: string[]): void;
};

export function createOutput({ json, write = (text: string) => process.stdout.write(text) }: { json: boolean; write?: (text: string) => void }): Output {
  const line = (text = "") => write(`${text}\n`);
  return {
    json,
    line,
    result(value, human) {
      if (json) line(JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2));
      else human();
    },
    table(rows, columns) {
      if (rows.length === 0) return line("(none)");
      const cell = (value: unknown) => (value === null || value === undefined ? "—" : String(value));
      const widths = columns.map((column) => Math.max(column.length, ...rows.map((row) => cell(row[column]).length)));
      line(columns.map((column, i) => column.toUpperCase().padEnd(widths[i]!)).join("  ").trimEnd());
      for (const row of rows) line(columns.map((column, i) => cell(row[column]).padEnd(widths[i]!)).join("  ").trimEnd());
    },
  };
}
