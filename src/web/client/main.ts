/**
 * The lab's shell: tabs by URL hash, each page's module loaded (and initialised) the first time its
 * tab opens, with its loading state shown. Everything is computed in the page: no server API.
 */
import './style.css';
import { $, message, showError } from './ui.js';

const PAGES: Record<string, () => Promise<unknown>> = {
  chordedit: () => import('./chordedit.js').then((m) => m.initChordEdit()),
  scaling: () => import('./scaling.js').then((m) => m.initScaling()),
  diffusion: () => import('./diffusion.js').then((m) => m.initDiffusion()),
  rope: () => import('./rope.js').then((m) => m.initRope()),
  grpo: () => import('./grpo.js').then((m) => m.initGrpo()),
};
const started = new Map<string, Promise<unknown>>();

function showPage(): void {
  const hash = location.hash.slice(1);
  const page = hash in PAGES ? hash : 'chordedit';
  for (const name of Object.keys(PAGES)) {
    $(`page-${name}`).hidden = name !== page;
    $(`tab-${name}`).classList.toggle('active', name === page);
  }
  if (!started.has(page)) {
    const loading = $(`page-${page}`).querySelector('.page-loading') as HTMLElement | null;
    if (loading) loading.hidden = false;
    const run = PAGES[page]()
      .catch((err) => showError($('page-error'), `the ${page} page failed to start: ${message(err)}`))
      .finally(() => {
        if (loading) loading.hidden = true;
        document.body.dataset[`${page}Ready`] = 'true';
      });
    started.set(page, run);
  }
}

// Forms only hold settings: Enter in a field must not reload the page.
document.querySelectorAll('form').forEach((form) => {
  form.addEventListener('submit', (e) => e.preventDefault());
});
window.addEventListener('hashchange', showPage);
showPage();
