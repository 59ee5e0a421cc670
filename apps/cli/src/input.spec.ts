import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from './args';
import { detectFormat, prepareUpload } from './input';

const dir = mkdtempSync(join(tmpdir(), 'cli-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

async function bodyText(
  body: ReturnType<Awaited<ReturnType<typeof prepareUpload>>['upload']['body']>,
) {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('detectFormat', () => {
  it('goes by extension unless --format says otherwise', () => {
    expect(detectFormat('a.CSV')).toBe('csv');
    expect(detectFormat('a.jsonl')).toBe('ndjson');
    expect(detectFormat('a.ndjson')).toBe('ndjson');
    expect(detectFormat('a.json')).toBe('json');
    expect(detectFormat('a.txt', 'csv')).toBe('csv');
    expect(() => detectFormat('a.txt')).toThrow(UsageError);
    expect(() => detectFormat('a.csv', 'xml')).toThrow(UsageError);
  });
});

describe('prepareUpload', () => {
  it('streams CSV as is (without a BOM), re-readable for retries', async () => {
    const path = file(
      'a.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id\n1\n')]),
    );
    const { upload } = await prepareUpload(path, 'csv', { operation: 'op' });
    expect(await bodyText(upload.body())).toBe('id\n1\n');
    expect(await bodyText(upload.body())).toBe('id\n1\n');
  });

  it('wraps a JSON array as {operation, items} on the fly', async () => {
    const path = file('a.json', '  [{"id":"ord_1"}]\n');
    const { upload } = await prepareUpload(path, 'json', { operation: 'op' });
    expect(JSON.parse(await bodyText(upload.body()))).toEqual({
      operation: 'op',
      items: [{ id: 'ord_1' }],
    });
  });

  it('takes a JSON envelope, --operation overriding its own', async () => {
    const path = file('b.json', '{"operation":"mine","items":[1],"atomic":true}');
    const own = await prepareUpload(path, 'json', {});
    expect(JSON.parse(await bodyText(own.upload.body()))).toMatchObject({
      operation: 'mine',
      atomic: true,
    });
    const override = await prepareUpload(path, 'json', { operation: 'other' });
    expect(override.upload.operation).toBe('other');
  });

  it('refuses missing files, missing operations and non-JSON', async () => {
    await expect(prepareUpload(join(dir, 'none.csv'), 'csv', { operation: 'op' })).rejects.toThrow(
      /Cannot read .*none\.csv: ENOENT/,
    );
    await expect(prepareUpload(file('c.csv', 'id\n'), 'csv', {})).rejects.toThrow(
      '--operation is required',
    );
    await expect(
      prepareUpload(file('c.json', 'nope'), 'json', { operation: 'op' }),
    ).rejects.toThrow(UsageError);
    await expect(prepareUpload(file('d.json', '{"items":[]}'), 'json', {})).rejects.toThrow(
      UsageError,
    );
  });
});
