/** NDJSON and CSV upload bodies for the fuzz run: valid, malformed, hostile and oversized. */
import {
  ALNUM,
  hostileText,
  hostileValue,
  type JV,
  MALFORMED_JSON,
  pollution,
  toJson,
  urlComponent,
} from './hostile';
import type { FuzzRequest } from './request';
import type { Rng } from './rng';
import { CURRENCIES, OPERATIONS, ORDER_STATUSES } from './spec';

export interface Upload {
  body: Buffer;
  label: string;
}

const mix = (r: Rng) => r.pick(['\n', '\r\n', '\r\n', '\n\n', '\r']);

export function ndjsonUpload(r: Rng, goodLine: () => string, huge: boolean): Upload {
  if (huge) {
    const line = `{"id":"${'x'.repeat(2 * 1024 * 1024)}","status":"paid"}`;
    return {
      body: Buffer.from(`${goodLine()}\n${line}\n${goodLine()}\n`),
      label: 'ndjson 2MB line',
    };
  }
  const kind = r.int(0, 9);
  const lines: string[] = [];
  const n = r.int(1, 30);
  switch (kind) {
    case 0:
      for (let i = 0; i < n; i++) lines.push(goodLine());
      return { body: Buffer.from(lines.join('\n') + '\n'), label: 'ndjson valid' };
    case 1:
      for (let i = 0; i < n; i++)
        lines.push(r.chance(0.5) ? goodLine() : r.pick(MALFORMED_JSON).replace(/\n/g, ' '));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson invalid lines' };
    case 2:
      for (let i = 0; i < n; i++) lines.push(goodLine());
      return {
        body: Buffer.from(lines.map((l) => l + mix(r)).join('')),
        label: 'ndjson CRLF/LF mix',
      };
    case 3:
      return {
        body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(goodLine() + '\n')]),
        label: 'ndjson BOM',
      };
    case 4:
      return { body: r.bytes(r.int(1, 4096)), label: 'ndjson binary garbage' };
    case 5:
      for (let i = 0; i < n; i++) lines.push(toJson(hostileValue(r)));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson hostile values' };
    case 6:
      return {
        body: Buffer.concat([
          Buffer.from(goodLine() + '\n'),
          Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0x0a]),
        ]),
        label: 'ndjson invalid UTF-8',
      };
    case 7:
      return {
        body: Buffer.from(r.pick(['\n', '\n\n\n', '   \n\t\n', '\r\n'])),
        label: 'ndjson blank',
      };
    case 8:
      for (let i = 0; i < n; i++) lines.push(toJson(pollution(r)));
      return { body: Buffer.from(lines.join('\n')), label: 'ndjson pollution' };
    default:
      return {
        body: Buffer.from(Array.from({ length: r.int(200, 800) }, () => goodLine()).join('\n')),
        label: 'ndjson many lines',
      };
  }
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

export function csvUpload(
  r: Rng,
  header: string[],
  goodRow: () => string[],
  huge: boolean,
): Upload {
  const head = header.join(',');
  const row = () => goodRow().map(csvCell).join(',');
  if (huge) {
    return {
      body: Buffer.from(`${head}\n${row()}\n"${'y'.repeat(2 * 1024 * 1024)}",paid\n${row()}\n`),
      label: 'csv 2MB field',
    };
  }
  const n = r.int(1, 30);
  const rows = () => Array.from({ length: n }, row);
  switch (r.int(0, 10)) {
    case 0:
      return { body: Buffer.from([head, ...rows()].join('\n') + '\n'), label: 'csv valid' };
    case 1:
      return {
        body: Buffer.from(`${head}\n${row()}\n"unterminated,${row()}\n${row()}`),
        label: 'csv unterminated quote',
      };
    case 2:
      return {
        body: Buffer.from([head, ...rows()].map((l) => l + mix(r)).join('')),
        label: 'csv CRLF/LF mix',
      };
    case 3:
      return {
        body: Buffer.concat([
          Buffer.from([0xef, 0xbb, 0xbf]),
          Buffer.from(`${head}\r\n${row()}\r\n`),
        ]),
        label: 'csv BOM',
      };
    case 4:
      return { body: r.bytes(r.int(1, 4096)), label: 'csv binary garbage' };
    case 5:
      return {
        body: Buffer.from(`${head}\na\na,b,c,d,e\n,,\n"a""b",c\na"b,c\n""""\n`),
        label: 'csv ragged rows and stray quotes',
      };
    case 6:
      return {
        body: Buffer.from(`__proto__,constructor,prototype\n{"polluted":1},x,y\nadmin,true,1\n`),
        label: 'csv pollution header',
      };
    case 7:
      return {
        body: Buffer.from(r.pick(['', '\n', head, `${head}\n`, ',,,\n', '"'])),
        label: 'csv header only',
      };
    case 8:
      return {
        body: Buffer.from(`${head},${head}\n${row()},${row()}\n`),
        label: 'csv duplicate columns',
      };
    case 9:
      return {
        body: Buffer.from(
          `${head}\n` +
            Array.from({ length: n }, () =>
              header.map(() => csvCell(hostileText(r).slice(0, 200))).join(','),
            ).join('\n'),
        ),
        label: 'csv hostile cells',
      };
    default:
      return {
        body: Buffer.from([head, ...Array.from({ length: r.int(200, 800) }, row)].join('\n')),
        label: 'csv many rows',
      };
  }
}

/**
 * Makes `req` an NDJSON or CSV upload of one of `types` (the envelope in the query, which it
 * returns); `huge` makes it one of the 2 MB line/field uploads. `item` draws one JSON item.
 */
export function uploadRequest(
  r: Rng,
  req: FuzzRequest,
  types: string[],
  huge: boolean,
  item: (operation: string) => JV,
  orders: string[],
): string {
  const type = r.pick(types);
  const operation = r.weighted([
    [80, r.pick(OPERATIONS)],
    [5, ''],
    [5, 'nope'],
    [5, 'x'.repeat(200)],
    [5, '__proto__'],
  ] as const);
  const op = huge ? 'update_orders_status' : operation;
  const goodLine = () => toJson(item(op));
  let upload: Upload;
  if (type === 'text/csv') {
    const header =
      op === 'create_orders' ? ['customer_id', 'amount', 'currency', 'ref'] : ['id', 'status'];
    const row = () =>
      op === 'create_orders'
        ? [
            `cus_${r.chars(ALNUM, 5)}`,
            String(r.int(0, 999)),
            r.pick(CURRENCIES),
            `r${r.int(1, 99)}`,
          ]
        : [r.pick(orders), r.pick(ORDER_STATUSES)];
    upload = csvUpload(r, header, row, huge);
  } else {
    upload = ndjsonUpload(r, goodLine, huge);
  }
  const variant = r.weighted([
    [80, type],
    [8, `${type}; charset=utf-8`],
    [4, type.toUpperCase()],
    [4, type === 'text/csv' ? 'text/csv; header=present' : 'application/ndjson'],
    [4, type === 'text/csv' ? 'text/comma-separated-values' : 'application/jsonl'],
  ] as const);
  req.headers['Content-Type'] = variant;
  req.body = upload.body;
  req.notes.push(`upload ${variant} ${upload.label} (${upload.body.length} bytes)`);
  req.kinds.push(`upload ${type}`);
  const parts = [];
  if (!(r.chance(0.05) && !huge)) parts.push(`operation=${urlComponent(r, op)}`);
  if (r.chance(0.2)) parts.push(`atomic=${r.pick(['true', 'false', 'yes', ''])}`);
  if (r.chance(0.1))
    parts.push(
      `webhook_url=${encodeURIComponent(r.pick(['https://8.8.8.8/h', 'ftp://x', 'http://127.0.0.1/']))}`,
    );
  req.preAuth = true;
  return parts.length ? `?${parts.join('&')}` : '';
}
