import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's package (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium; as root it needs `--no-sandbox`. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * A fresh browser context (`options`: e.g. HTTP credentials) whose favicon requests are answered
 * by the browser itself: Chromium asks for `/favicon.ico` after a page that has none (a 401 problem),
 * at a moment of its choosing, and the service has no such route (a 404 outside the document).
 */
export async function newContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
  return context;
}

/**
 * What went wrong inside a page, as far as `origin` (the service) is concerned: uncaught script
 * errors, console errors, and its own requests that failed or answered ≥ 400. Requests to other
 * origins are left out (Bull Board's page asks Google Fonts for its typeface; this machine may be
 * offline), and so are the console's "Failed to load resource" lines, which only repeat those.
 */
export function pageProblems(page: Page, origin: string): string[] {
  const problems: string[] = [];
  const ours = (url: string) => url.startsWith(`${origin}/`);
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('requestfailed', (r) => {
    if (ours(r.url())) problems.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
  });
  page.on('response', (r) => {
    if (ours(r.url()) && r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return problems;
}
