import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, newContext, pageProblems } from './support/browser';
import { baseUrlOf } from './support/sdk';
import { useTestApp } from './support/use-test-app';

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** `/docs` as a browser shows it: Swagger UI's scripts run (no CSP in their way) and list every operation. */
describe('/docs in Chromium', () => {
  const t = useTestApp({ TEST_LABEL: 'docs_browser' });
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    base = await baseUrlOf(t);
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it('renders every operation of the OpenAPI document', async () => {
    const spec = (await t.http.get('/openapi.json').expect(200)).body as {
      info: { title: string };
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(spec.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented.length).toBeGreaterThan(10);

    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const problems = pageProblems(page, base);
      const res = await page.goto(`${base}/docs`);
      expect(res?.status()).toBe(200);
      await page.locator('.opblock').first().waitFor();
      const rendered = await page.$$eval('.opblock', (blocks) =>
        blocks.map((b) => {
          const method = b.querySelector('.opblock-summary-method')?.textContent ?? '?';
          const path = b.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '?';
          return `${method.toUpperCase()} ${path}`;
        }),
      );
      expect(rendered.sort()).toEqual(documented);
      await expect(page.locator('.info .title').first().textContent()).resolves.toContain(
        spec.info.title,
      );
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
