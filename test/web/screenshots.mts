/**
 * Screenshots of every page of the built lab for docs/parts/web.md, taken in Debian's chromium from
 * a plain static file server: `npm run build:web && npx tsx test/web/screenshots.mts` writes
 * docs/img/web-<page>.png after each page has computed something (an edit, a fit of the shipped
 * Chinchilla runs, 300 training steps of the 2-D lab and samples, 150 GRPO steps), and prints the
 * in-page status lines (times are the page's own, on this machine). Not a test: it asserts nothing.
 */
import { writeFileAtomic } from '../../src/core/outputs.js';
import { WEB_DIST } from '../../src/web/index.js';
import { serveFolder } from '../support/static-server.js';
import { launchChromium } from './chromium.js';

const site = await serveFolder(WEB_DIST);
const browser = await launchChromium();
const log = (s: string) => process.stderr.write(`${s}\n`);
try {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(300_000);
  page.on('pageerror', (e) => log(`page error: ${e.message}`));
  const status = async (id: string, pattern: RegExp) => {
    await page.waitForFunction(([i, p]) => new RegExp(p).test(document.getElementById(i)?.textContent ?? ''), [
      id,
      pattern.source,
    ] as const);
    return (await page.textContent(`#${id}`))?.trim();
  };
  const shot = async (name: string) =>
    writeFileAtomic(`docs/img/web-${name}.png`, await page.screenshot({ fullPage: true }));

  await page.goto(`${site.url}#chordedit`);
  log(`chordedit: ${await status('edit-status', /^(done|failed)/)}`);
  await shot('chordedit');

  await page.goto(`${site.url}#scaling`);
  await page.waitForSelector('#contour svg');
  await page.setInputFiles('#runs-csv', `${WEB_DIST}/data/chinchilla.csv`);
  await page.waitForFunction(() => (document.getElementById('fit-json')?.textContent ?? '').startsWith('{'));
  await page.waitForSelector('#contour svg');
  log(`scaling: fit ${await page.textContent('#fit-json')}`);
  await shot('scaling');

  await page.goto(`${site.url}#diffusion`);
  await status('dl-status', /^ready/);
  await page.fill('#dl-steps', '300');
  await page.dispatchEvent('#dl-steps', 'change');
  const t0 = Date.now();
  await page.click('#dl-train');
  log(`diffusion: ${await status('dl-status', /^trained/)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await page.click('#dl-sample');
  log(`diffusion: ${await status('dl-status', /^600 DDIM/)}`);
  await shot('diffusion');

  await page.goto(`${site.url}#rope`);
  await page.waitForFunction(() => (document.getElementById('rope-gap')?.textContent ?? '') !== '');
  log(`rope: largest gap ${await page.textContent('#rope-gap')}`);
  await shot('rope');

  await page.goto(`${site.url}#grpo`);
  await page.fill('#grpo-steps', '150');
  const t1 = Date.now();
  await page.click('#grpo-train');
  log(`grpo: ${await status('grpo-status', /^done/)} in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  await shot('grpo');
} finally {
  await browser.close();
  await site.close();
}
