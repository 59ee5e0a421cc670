import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, pageProblems } from './support/browser';
import { baseUrlOf } from './support/sdk';
import { useTestApp } from './support/use-test-app';

const ADMIN_KEY = 'board-browser-admin-key-7d21';
const CHALLENGES = ['Basic realm="operators", charset="UTF-8"', 'Bearer realm="operators"'];

/**
 * The queue dashboard's login in a real browser: Chromium answers the Basic challenge with the
 * context's HTTP credentials (what a user types into its login dialog). It did not while Bearer and
 * Basic shared one WWW-Authenticate line: Chromium read the first challenge only, Bearer, and showed
 * the 401.
 */
describe('queue dashboard in Chromium', () => {
  const t = useTestApp({ TEST_LABEL: 'board_browser', ADMIN_API_KEY: ADMIN_KEY });
  let browser: Browser;
  let base: string;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    base = await baseUrlOf(t);
    browser = await launchChromium();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => browser?.close());

  it('logs in with HTTP Basic (any user name, the operator key as password) and renders the board', async () => {
    context = await newContext(browser, {
      httpCredentials: { username: 'admin', password: ADMIN_KEY },
    });
    const page = await context.newPage();
    const problems = pageProblems(page, base);
    const res = await page.goto(`${base}/admin/queues`);
    expect(res?.status()).toBe(200);
    // Bull Board's page as its scripts render it from what its JSON API answered (with the
    // credentials the browser now sends by itself): the title, and every queue in the menu.
    await page.getByText('Bulk REST queues · read-only').first().waitFor();
    for (const queue of ['bulk-jobs', 'webhooks', 'maintenance']) {
      await page.getByRole('link', { name: queue }).first().waitFor();
    }
    expect(await page.title()).toContain('Bulk REST queues');
    // Nothing of the service's failed: scripts, styles, and the JSON API the page calls with the
    // credentials the browser now sends by itself (the first 401, which asked for them, is not
    // reported to the page).
    expect(problems).toEqual([]);
  });

  it('without credentials: 401 with a Basic challenge, which Chromium takes up (it has no dialog headless)', async () => {
    context = await newContext(browser);
    const page = await context.newPage();
    const answer = page.waitForResponse(`${base}/admin/queues`);
    const visit = page.goto(`${base}/admin/queues`).then(
      () => 'loaded',
      (e: Error) => e.message,
    );
    const res = await answer;
    expect(res.status()).toBe(401);
    const challenges = (await res.headersArray())
      .filter((h) => h.name.toLowerCase() === 'www-authenticate')
      .map((h) => h.value);
    expect(challenges).toEqual(CHALLENGES);
    // A browser with a window would show its login dialog here; headless it gives up.
    expect(await visit).toMatch(/net::ERR_INVALID_AUTH_CREDENTIALS/);
  });

  it('with a wrong password: the 401 problem, no board', async () => {
    context = await newContext(browser, {
      httpCredentials: { username: 'admin', password: 'not-the-key' },
    });
    const page = await context.newPage();
    const res = await page.goto(`${base}/admin/queues`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('"code":"unauthorized"');
    expect(await page.content()).not.toContain('bulk-jobs');
  });
});
