/**
 * The built lab (one vite build per test run, test/support/web-build.ts) in a real browser
 * (Debian's chromium through playwright-core), served by a plain static file server: every page
 * loads without page errors; a toy-scene edit computed in the page matches the Node CLI's output
 * pixel for pixel (within 2 of 255: wasm and native kernels round differently); an uploaded CSV fits
 * to the numbers of `modelmath scaling fit`; the 2-D lab trains and samples; GRPO and RoPE run; a
 * picked SD-Turbo-shaped folder opens and edits; and no request goes to a modelmath API. Fails
 * (does not skip) when /usr/bin/chromium is missing.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CHORD_DEFAULTS } from '../../src/chordedit/index.js';
import { decodeImage, encodePng, toInterleavedBytes } from '../../src/core/image.js';
import { pickScene } from '../../src/web/lab-edit.js';
import { writeSdTurboFixture } from '../../testkit/sd-turbo-fixture.js';
import { runCliCaptured } from '../support/cli.js';
import { serveFolder } from '../support/static-server.js';
import { type Browser, CHROMIUM_PATH, launchChromium } from './chromium.js';

const webDir = inject('webDir');
const work = mkdtempSync(join(tmpdir(), 'web-browser-'));
let site: Awaited<ReturnType<typeof serveFolder>>;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  site = await serveFolder(webDir);
  browser = await launchChromium();
  page = await browser.context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('request', (r) => requests.push(r.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  rmSync(work, { recursive: true, force: true });
});

const statusOf = async (id: string) => ((await page.locator(`#${id}`).textContent()) ?? '').trim();

/** The 8-bit pixels of an <img> whose src is a PNG data URL. */
async function imgBytes(id: string): Promise<Uint8Array> {
  const src = (await page.getAttribute(`#${id}`, 'src')) ?? '';
  expect(src).toMatch(/^data:image\/png;base64,/);
  return toInterleavedBytes(await decodeImage(Buffer.from(src.split(',')[1], 'base64'), id));
}

/** The same edit through the Node CLI (`modelmath edit`), as 8-bit pixels. */
async function cliEdit(source: Uint8Array, prompts: [string, string], method: string): Promise<Uint8Array> {
  const input = join(work, `in-${method}.png`);
  const out = join(work, `out-${method}.png`);
  writeFileSync(input, source);
  const r = await runCliCaptured([
    'edit',
    '--image',
    input,
    '--source',
    prompts[0],
    '--target',
    prompts[1],
    '--method',
    method,
    '--seed',
    '0',
    '--out',
    out,
  ]);
  expect(r.code, r.stderr).toBe(0);
  return toInterleavedBytes(await decodeImage(readFileSync(out), out));
}

const maxDiff = (a: Uint8Array, b: Uint8Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('the built lab in chromium, from a plain static server', () => {
  it('a missing browser is a clear failure, not a skip', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(
      /chromium is not installed at \/nonexistent\/chromium: the browser tests need it \(apt-get update && apt-get install -y chromium\)/,
    );
    expect(CHROMIUM_PATH).toBe('/usr/bin/chromium');
  });

  it('edits a toy scene in the page; the pixels match the Node CLI within 2 of 255', async () => {
    await page.goto(`${site.url}#chordedit`);
    await expect.poll(() => statusOf('edit-status'), { timeout: 90_000 }).toMatch(/^done \(chord/);
    expect(await page.locator('#model-name').textContent()).toBe('edit model: toy (onnxruntime-web, wasm)');
    expect(await page.locator('#edit-diagnostics tr', { hasText: 'NFE' }).locator('td').textContent()).toBe('2');
    const scene = pickScene(1, 'background');
    const prompts: [string, string] = [scene.sourceCaption, scene.targetCaption];
    expect(await page.inputValue('#source')).toBe(prompts[0]);
    expect(CHORD_DEFAULTS.t).toBe(Number(await page.inputValue('#t')));
    const source = await encodePng(scene.sourceImage);
    const inPage = await imgBytes('img-result');
    const cli = await cliEdit(source, prompts, 'chord');
    expect(inPage.length).toBe(32 * 32 * 3);
    expect(maxDiff(inPage, cli)).toBeLessThanOrEqual(2);
    // a second method through the same path
    await page.selectOption('#method', 'sdedit');
    await expect.poll(() => statusOf('edit-status'), { timeout: 60_000 }).toMatch(/^done \(sdedit/);
    expect(maxDiff(await imgBytes('img-result'), await cliEdit(source, prompts, 'sdedit'))).toBeLessThanOrEqual(2);
  }, 180_000);

  it('a bad upload shows the error in plain words', async () => {
    await page.setInputFiles('#upload', {
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this text only pretends to be a PNG'),
    });
    await page.waitForSelector('#edit-error:not([hidden])');
    expect(await page.textContent('#edit-error')).toMatch(/the uploaded file is not an image that can be decoded/);
  });

  it('opens a picked SD-Turbo-shaped ONNX folder and edits with it', async () => {
    const dir = writeSdTurboFixture(join(work, 'sd-turbo-fixture'));
    await page.setInputFiles('#model-folder', dir);
    await expect
      .poll(() => page.locator('#model-name').textContent(), { timeout: 60_000 })
      .toMatch(/^edit model: sd-turbo-fixture/);
    await page.check('#kind-scene');
    await page.click('#edit-run');
    await expect.poll(() => statusOf('edit-status'), { timeout: 60_000 }).toMatch(/^done/);
    expect(await page.isHidden('#edit-error')).toBe(true);
  }, 120_000);

  it('fits an uploaded CSV to the numbers of `modelmath scaling fit`', async () => {
    const lines = readFileSync(join(webDir, 'data', 'chinchilla.csv'), 'utf8')
      .trim()
      .split('\n');
    const csv = join(work, 'runs.csv');
    writeFileSync(csv, [lines[0], ...lines.slice(1).filter((_, i) => i % 6 === 0)].join('\n'));
    await page.goto(`${site.url}#scaling`);
    await page.waitForSelector('#contour svg');
    await page.setInputFiles('#runs-csv', csv);
    await expect.poll(() => page.locator('#fit-json').textContent(), { timeout: 120_000 }).toMatch(/^\{/);
    const inPage = JSON.parse((await page.locator('#fit-json').textContent()) ?? '{}');
    const r = await runCliCaptured(['scaling', 'fit', '--csv', csv, '--threads', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout);
    for (const key of ['E', 'A', 'B', 'alpha', 'beta', 'objective']) {
      expect(Math.abs(inPage[key] - cli[key]) / Math.abs(cli[key]), key).toBeLessThan(1e-6);
    }
    await page.waitForSelector('#contour svg');
    expect(await page.locator('#allocation tr', { hasText: 'law' }).first().textContent()).toMatch(
      /fitted to \d+ runs/,
    );
  }, 180_000);

  it('trains the 2-D diffusion lab for a few steps and samples', async () => {
    await page.goto(`${site.url}#diffusion`);
    await expect.poll(() => statusOf('dl-status'), { timeout: 60_000 }).toMatch(/^ready/);
    await page.fill('#dl-steps', '50');
    await page.dispatchEvent('#dl-steps', 'change');
    await page.click('#dl-train');
    await expect.poll(() => statusOf('dl-status'), { timeout: 60_000 }).toBe('trained 50 steps');
    await page.click('#dl-sample');
    await expect.poll(() => statusOf('dl-status'), { timeout: 60_000 }).toMatch(/^600 DDIM samples/);
    expect(await page.isHidden('#dl-error')).toBe(true);
  }, 120_000);

  it('RoPE: the relative-position curves coincide; GRPO trains the bandit', async () => {
    await page.goto(`${site.url}#rope`);
    await expect.poll(() => page.locator('#rope-gap').textContent()).toMatch(/e/);
    expect(Number(await page.locator('#rope-gap').textContent())).toBeLessThan(1e-4);
    await page.goto(`${site.url}#grpo`);
    // The page's module attaches the button's handler after navigation: wait until it says so.
    await expect.poll(() => statusOf('grpo-status'), { timeout: 60_000 }).toMatch(/^ready/);
    await page.fill('#grpo-steps', '20');
    await page.click('#grpo-train');
    await expect.poll(() => statusOf('grpo-status'), { timeout: 60_000 }).toMatch(/^done: greedy accuracy \d/);
  }, 120_000);

  it('every page loaded without page errors, offline, with no request to a modelmath API', () => {
    expect(pageErrors).toEqual([]);
    const origin = new URL(site.url).origin;
    const outside = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(outside).toEqual([]);
    expect(requests.filter((u) => u.includes('/api/'))).toEqual([]);
  });
});

describe('page weight', () => {
  it('is at most 3 MB gzip-compressed before model and runtime files', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    const page = walk(webDir).filter((f) => !/\.wasm$|\/models\/|\/data\//.test(f));
    const gz = page.reduce((s, f) => s + gzipSync(readFileSync(f)).length, 0);
    expect(page.some((f) => f.endsWith('index.html'))).toBe(true);
    expect(gz).toBeLessThanOrEqual(3 * 2 ** 20);
  });
});
