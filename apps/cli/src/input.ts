import type { BulkUpload, UploadFormat } from '@app/sdk';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from './args';

const EXTENSIONS: Record<string, UploadFormat> = {
  '.csv': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'json',
};

export function detectFormat(file: string, explicit?: string): UploadFormat {
  if (explicit !== undefined) {
    if (explicit === 'csv' || explicit === 'ndjson' || explicit === 'json') return explicit;
    throw new UsageError(`--format must be csv, ndjson or json (got ${explicit})`);
  }
  const format = EXTENSIONS[extname(file).toLowerCase()];
  if (!format) {
    throw new UsageError(
      `Cannot tell the format of ${file}: use a .csv, .ndjson, .jsonl or .json file, or --format`,
    );
  }
  return format;
}

/** The first bytes of a file (to tell a JSON array from an object, and to skip a BOM). */
async function head(file: string, bytes = 4096): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface PreparedUpload {
  upload: BulkUpload;
  /** Bytes of the file, for messages. */
  size: number;
}

/**
 * A streamed upload of `file`: CSV and NDJSON go as they are; a JSON array of items is wrapped as
 * `{"operation": …, "items": <file>}` on the fly; a JSON object (`{operation?, items, …}`) is read,
 * and `--operation` overrides its own.
 */
export async function prepareUpload(
  file: string,
  format: UploadFormat,
  options: { operation?: string; webhookUrl?: string; atomic?: boolean; idempotencyKey?: string },
): Promise<PreparedUpload> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${file} is not a file`);
    size = info.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const start = (await head(file, 3)).equals(BOM) ? 3 : 0;
  const common = {
    webhookUrl: options.webhookUrl,
    atomic: options.atomic,
    idempotencyKey: options.idempotencyKey,
  };
  if (format !== 'json') {
    if (!options.operation) throw new UsageError('--operation is required');
    return {
      size,
      upload: {
        ...common,
        operation: options.operation,
        format,
        body: () => createReadStream(file, { start }),
      },
    };
  }
  const first = (await head(file)).subarray(start).toString('utf8').trimStart()[0];
  if (first === '[') {
    if (!options.operation) throw new UsageError('--operation is required');
    const operation = options.operation;
    const prefix = `{"operation":${JSON.stringify(operation)},"items":`;
    return {
      size,
      upload: {
        ...common,
        operation,
        format,
        body: () =>
          (async function* () {
            yield Buffer.from(prefix);
            yield* createReadStream(file, { start }) as AsyncIterable<Buffer>;
            yield Buffer.from('}');
          })(),
      },
    };
  }
  if (first !== '{') {
    throw new UsageError(
      `${file} is neither a JSON array of items nor an {operation, items} object`,
    );
  }
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, '')) as Record<
      string,
      unknown
    >;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const operation =
    options.operation ?? (typeof envelope.operation === 'string' ? envelope.operation : undefined);
  if (!operation) throw new UsageError('--operation is required (the file names none)');
  const body = JSON.stringify({ ...envelope, operation });
  return { size, upload: { ...common, operation, format, body: () => body } };
}
