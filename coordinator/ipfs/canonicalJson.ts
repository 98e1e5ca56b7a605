/**
 * Deterministic JSON: the same value always gives the same bytes, hence the same CID.
 * The proposal keeper relies on this to recognise a record (and a batch) it already
 * published, across restarts.
 */
import { InvalidJsonContentError } from "../errors/ipfs.ts";

/** A value that is plain JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialises `value` as compact JSON with object keys sorted by UTF-16 code units
 * (as RFC 8785 does) at every level. Properties that are `undefined` are left out,
 * as `JSON.stringify` does.
 *
 * @param value - plain JSON data (objects, arrays, strings, finite numbers, booleans, null).
 * @returns the canonical JSON text.
 * @throws {InvalidJsonContentError} for NaN/Infinity, bigint, functions, symbols,
 *   `undefined` inside arrays, and objects that are not plain (Date, Map, class instances).
 *
 * @example
 * import { canonicalJson } from "./canonicalJson.ts";
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return write(value, "");
}

function write(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new InvalidJsonContentError({ path, reason: `${value} is not a JSON number` });
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value
          .map((item, index) => {
            if (item === undefined) throw new InvalidJsonContentError({ path: `${path}[${index}]`, reason: "undefined" });
            return write(item, `${path}[${index}]`);
          })
          .join(",")}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new InvalidJsonContentError({ path, reason: `a ${proto?.constructor?.name ?? "non-plain"} object` });
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`)}`).join(",")}}`;
    }
    default:
      throw new InvalidJsonContentError({ path, reason: `a ${typeof value}` });
  }
}
