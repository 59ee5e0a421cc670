// A bench's results.json and REPORT.md, next to its index.mjs.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The last run's results.json in `dir`, or null when there is none. */
export function loadResults(dir) {
  const file = join(dir, 'results.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

export function saveResults(dir, results) {
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

/** Markdown blocks (paragraphs, tables, headings) separated by blank lines; null, undefined and false left out. */
export const blocks = (...parts) =>
  parts.filter((p) => p !== null && p !== undefined && p !== false).join('\n\n');

/** Writes `dir/REPORT.md` from its lines (or blocks), ending in a newline. */
export function writeMarkdown(dir, lines) {
  writeFileSync(join(dir, 'REPORT.md'), `${lines.join('\n')}\n`);
}

/** Re-renders `dir/REPORT.md` from the last results (`render(results)` gives its lines); nothing without results. */
export function renderReport(dir, render) {
  const results = loadResults(dir);
  if (results) writeMarkdown(dir, render(results));
}
