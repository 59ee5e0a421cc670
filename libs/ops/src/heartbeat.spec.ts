import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHeartbeat } from './heartbeat';

describe('startHeartbeat', () => {
  it('writes the file at once, keeps it fresh and removes it on stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'beat-'));
    try {
      const file = join(dir, 'alive');
      const stop = startHeartbeat(file, 20);
      const first = readFileSync(file, 'utf8');
      expect(Date.parse(first.trim())).toBeGreaterThan(Date.now() - 5000);
      await new Promise((r) => setTimeout(r, 60));
      expect(readFileSync(file, 'utf8')).not.toBe(first);
      stop();
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
