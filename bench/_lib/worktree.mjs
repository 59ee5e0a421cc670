// An older commit of this repository, checked out beside it for a before/after bench.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `ref` checked out (detached) at `dir` with its own dependencies: `npm ci` there, since a commit's
 * package-lock may differ from this checkout's. Reused when it exists.
 */
export function checkoutRef(root, dir, ref) {
  if (!existsSync(dir)) {
    mkdirSync(dirname(dir), { recursive: true });
    execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'inherit' });
  }
  if (!existsSync(join(dir, 'node_modules')))
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  return dir;
}
