/**
 * The lab in a real browser (Debian's chromium through playwright-core): the ChordEdit page edits
 * a toy-world scene and shows the result, a slider change sends a new edit, Cancel aborts one in
 * flight, a bad upload shows the server's plain-words error; the scaling page draws its figures
 * and answers a budget change. Fails (does not skip) when /usr/bin/chromium is missing.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabServer, startLabServer } from '../../src/web/index.js';
import { type Browser, CHROMIUM_PATH, launchChromium } from './chromium.js';

let lab: LabServer;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  lab = await startLabServer({ port: 0, model: 'analytic' });
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.setDefaultTimeout(40_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await lab?.close();
});

const diagnostic = (label: string) => page.locator('#edit-diagnostics tr', { hasText: label }).locator('td');

/** Natural width of an <img> once its data URL has loaded. */
async function loadedWidth(selector: string): Promise<number> {
  await page.waitForFunction((s) => {
    const img = document.querySelector(s) as HTMLImageElement | null;
    return Boolean(img?.src.startsWith('data:image/png') && img.complete && img.naturalWidth > 0);
  }, selector);
  return page.$eval(selector, (img) => (img as HTMLImageElement).naturalWidth);
}

describe('web lab in chromium', () => {
  it('a missing browser is a clear failure, not a skip', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /chromium is not installed at \/nonexistent\/chromium: the browser tests need it \(apt-get update && apt-get install -y chromium\)/,
    );
    expect(CHROMIUM_PATH).toBe('/usr/bin/chromium');
  });

  it('opens the lab and edits the picked toy-world scene', async () => {
    await page.goto(lab.url);
    await expect
      .poll(() => page.locator('#model-name').textContent(), { timeout: 40_000 })
      .toBe('edit model: analytic');
    await expect.poll(() => page.locator('#edit-status').textContent(), { timeout: 40_000 }).toMatch(/^done \(chord/);
    expect(await loadedWidth('#img-result')).toBe(32);
    expect(await loadedWidth('#img-source')).toBe(32);
    expect(await loadedWidth('#img-truth')).toBe(32);
    expect(await page.inputValue('#source')).toMatch(/ on [a-z]+$/);
    expect(await diagnostic('NFE').textContent()).toBe('2');
    expect(await diagnostic('chord-field energy').textContent()).toMatch(/^\d.*\(s=0\.9\d*\)$/);
  }, 60_000);

  it('moving a slider sends a new edit with the new setting', async () => {
    const before = await page.getAttribute('#img-result', 'src');
    await page.locator('#t').fill('0.6');
    expect(await page.locator('output[for="t"]').textContent()).toBe('0.6');
    await expect
      .poll(() => diagnostic('chord-field energy').textContent(), { timeout: 40_000 })
      .toMatch(/\(s=0\.600\)$/);
    expect(await page.getAttribute('#img-result', 'src')).not.toBe(before);
    await page.locator('#refine').uncheck();
    await expect.poll(() => diagnostic('NFE').textContent(), { timeout: 40_000 }).toBe('1');
  }, 60_000);

  it('Cancel aborts the edit in flight', async () => {
    await page.route('**/api/edit', async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue().catch(() => {});
    });
    await page.click('#edit-run');
    await expect.poll(() => page.locator('#edit-status').textContent(), { timeout: 10_000 }).toBe('editing…');
    expect(await page.isEnabled('#edit-cancel')).toBe(true);
    await page.click('#edit-cancel');
    expect(await page.locator('#edit-status').textContent()).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1800));
    expect(await page.locator('#edit-status').textContent()).toBe('cancelled');
    expect(await page.isHidden('#edit-error')).toBe(true);
    await page.unroute('**/api/edit');
  }, 60_000);

  it('a new edit replaces the one in flight', async () => {
    const aborted: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.url().endsWith('/api/edit')) aborted.push(r.failure()?.errorText ?? '');
    });
    await page.route('**/api/edit', async (route) => {
      await new Promise((r) => setTimeout(r, 1000));
      await route.continue().catch(() => {});
    });
    await page.locator('#t').fill('0.5');
    await expect.poll(() => page.locator('#edit-status').textContent(), { timeout: 10_000 }).toBe('editing…');
    await page.locator('#t').fill('0.4');
    await expect
      .poll(() => diagnostic('chord-field energy').textContent(), { timeout: 40_000 })
      .toMatch(/\(s=0\.400\)$/);
    expect(aborted).toHaveLength(1);
    expect(await page.locator('#edit-status').textContent()).toMatch(/^done/);
    await page.unroute('**/api/edit');
  }, 60_000);

  it('a bad upload shows the error in plain words', async () => {
    await page.setInputFiles('#upload', {
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this text only pretends to be a PNG'),
    });
    await page.waitForSelector('#edit-error:not([hidden])');
    expect(await page.textContent('#edit-error')).toMatch(/the uploaded file is not an image that can be decoded/);
    expect(await page.locator('#edit-status').textContent()).toBe('failed');
  }, 60_000);

  it('the scaling page draws contours and answers a budget change', async () => {
    await page.click('#tab-scaling');
    await page.waitForSelector('#contour svg', { timeout: 40_000 });
    await page.waitForSelector('#isoflop svg');
    const params = () => page.locator('#allocation tr', { hasText: 'optimal parameters' }).locator('td').textContent();
    const first = await params();
    await page.locator('#budget').fill('21');
    expect(await page.locator('output[for="budget"]').textContent()).toBe('1.0e+21 FLOPs');
    await expect.poll(params, { timeout: 40_000 }).not.toBe(first);
    expect(await page.locator('#allocation tr', { hasText: 'budget' }).locator('td').textContent()).toBe('1.000e+21');
  }, 60_000);

  it('the other-parts page runs a tour section from the registry', async () => {
    await page.click('#tab-sections');
    await page.selectOption('#section-id', 'rope');
    await page.click('#section-run');
    await expect.poll(() => page.locator('#section-status').textContent(), { timeout: 40_000 }).toMatch(/^done \(RoPE/);
    expect(await page.locator('#section-output table, #section-output svg').count()).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
