import './style.css';
import { apiKey, isUnauthorized, setApiKey } from './api';
import { disposeAll } from './charts';
import { h } from './dom';
import { renderComparePage } from './compare-page';
import { renderRunPage } from './run-page';
import { renderSweepPage } from './sweep-page';
import { renderSweepsList } from './sweeps-list';
import { hashRoute } from './url-state';

const root = document.getElementById('app')!;
let leave: () => void = () => undefined;

function keyForm(message: string): HTMLElement {
  const input = h('input', { type: 'password', name: 'api-key', placeholder: 'API key', size: 36 });
  const form = h(
    'form',
    { class: 'panel key-form', 'data-view': 'api-key' },
    h('h2', {}, 'API key'),
    h('p', {}, message),
    input,
    ' ',
    h('button', { type: 'submit' }, 'Use key'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    void route();
  });
  return form;
}

const UUID = '[0-9a-f-]{36}';

/** The view of a hash route; its choices follow the route after `?`. */
function view(route: string): Promise<() => void> {
  const run = new RegExp(`^#/sweeps/(${UUID})/runs/(${UUID})$`, 'i').exec(route);
  if (run) return renderRunPage(root, run[1], run[2]);
  const sweep = new RegExp(`^#/sweeps/(${UUID})$`, 'i').exec(route);
  if (sweep) return renderSweepPage(root, sweep[1]);
  if (route === '#/compare') return renderComparePage(root);
  return renderSweepsList(root);
}

/**
 * Hash routes (`#/`, `#/sweeps/:id`, `#/sweeps/:id/runs/:runId`, `#/compare?sweeps=a,b`), so
 * they never collide with the API's own paths.
 */
async function route(): Promise<void> {
  leave();
  leave = () => undefined;
  disposeAll();
  root.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    leave = await view(hashRoute());
  } catch (error) {
    if (isUnauthorized(error)) {
      root.replaceChildren(
        keyForm(
          apiKey()
            ? 'The API refused this key. Enter the right one (it is kept in this browser).'
            : 'This API needs a key (x-api-key). It is kept in this browser; `?apiKey=` works too.',
        ),
      );
    } else {
      root.replaceChildren(
        h(
          'p',
          { class: 'error' },
          `Could not load: ${error instanceof Error ? error.message : error}`,
        ),
      );
    }
  }
}

document.getElementById('api-key-button')?.addEventListener('click', () => {
  leave();
  disposeAll();
  root.replaceChildren(keyForm('Set or change the API key sent as x-api-key.'));
});
window.addEventListener('hashchange', () => void route());
void route();
