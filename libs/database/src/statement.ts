import { escapeLiteral } from 'pg';

/** One parameterized SQL statement, as repositories write them (`$1`, `$2`, … placeholders). */
export interface Statement {
  text: string;
  values?: readonly unknown[];
  /**
   * Makes it a named (prepared) statement on each connection where sessions persist: Postgres
   * parses and plans it once per connection. Ignored behind a transaction pooler.
   */
  name?: string;
  /** Parameter types, in order; needed by statements sent with BEGIN or COMMIT (`PREPARE`). */
  types?: readonly string[];
}

/** A value as a Postgres array literal element (text form, always quoted). */
function arrayElement(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Array.isArray(v)) return arrayText(v);
  const s = typeof v === 'string' ? v : v instanceof Date ? v.toISOString() : plain(v);
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const arrayText = (values: readonly unknown[]): string => `{${values.map(arrayElement).join(',')}}`;

function plain(v: unknown): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`cannot send ${v} as a SQL literal`);
    return String(v);
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  return JSON.stringify(v);
}

/**
 * A value as a SQL literal, as `pg` would send it as a parameter: strings as they are, dates in ISO
 * 8601, arrays in Postgres' array syntax, other objects as JSON. Numbers and booleans go bare; every
 * other literal is quoted by `escapeLiteral`, so no value can end the literal early.
 */
export function sqlLiteral(value: unknown, type?: string): string {
  let lit: string;
  if (value === null || value === undefined) lit = 'NULL';
  else if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    lit = plain(value);
  else if (typeof value === 'string') lit = escapeLiteral(value);
  else if (value instanceof Date) lit = escapeLiteral(value.toISOString());
  else if (Array.isArray(value)) lit = escapeLiteral(arrayText(value));
  else lit = escapeLiteral(plain(value));
  return type ? `${lit}::${type}` : lit;
}

/**
 * The statement with its values written in as literals: the simple query protocol, which alone
 * carries several statements in one message, takes no parameters. Placeholders are replaced outside
 * quoted strings and identifiers only.
 */
export function inlineStatement(statement: Statement): string {
  const values = statement.values ?? [];
  return statement.text.replace(
    /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g,
    (match, n: string | undefined) => {
      if (n === undefined) return match;
      const i = Number(n) - 1;
      if (i >= values.length) throw new RangeError(`no value for $${n} in: ${statement.text}`);
      return sqlLiteral(values[i], statement.types?.[i]);
    },
  );
}
