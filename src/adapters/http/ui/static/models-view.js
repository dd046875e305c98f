// Installed and loaded models, the catalogue with a pull button per model, the running pull's progress.
import { postJson } from './api.js';
import { $, el, showError, formatBytes } from './dom.js';

const KIND_LABELS = { asr: 'Speech to text', tts: 'Text to speech', wake: 'Wake words', vad: 'Voice activity' };

export class ModelsView {
  #catalogue = null;
  #pull = null;

  showModels(models) {
    const kinds = Object.entries(models.listing).map(([kind, { installed, loaded }]) =>
      el(
        'div',
        {},
        el('strong', {}, KIND_LABELS[kind] ?? kind),
        installed.length === 0
          ? el('p', { class: 'muted' }, 'none installed')
          : el('ul', {}, ...installed.map((name) => el('li', {}, name, loaded.includes(name) ? el('span', { class: 'loaded' }, ' · loaded') : null))),
      ),
    );
    $('loaded').replaceChildren(el('div', { class: 'kinds' }, ...kinds));
  }

  showCatalogue(catalogue, problem) {
    this.#catalogue = catalogue;
    const note = $('catalogue-note');
    if (!catalogue) note.textContent = problem ? `The catalogue cannot be read: ${problem}` : 'No catalogue.';
    else if (catalogue.offline) note.textContent = 'models.offline is set: nothing is downloaded from here.';
    else note.textContent = 'Models the daemon can download and install.';
    this.#drawCatalogue();
  }

  showPull(pull) {
    this.#pull = pull;
    const box = $('pull');
    box.hidden = !pull;
    showError($('pull-error'), pull?.state === 'failed' ? `${pull.id}: ${pull.error?.message ?? 'failed'}` : '');
    if (pull) {
      const progress = $('pull-progress');
      $('pull-label').textContent = `${pull.state === 'running' ? 'Pulling' : pull.state === 'done' ? 'Installed' : 'Failed'} ${pull.id}${pull.file && pull.state === 'running' ? ` (${pull.file.replace(`${pull.id}: `, '')})` : ''}`;
      if (pull.state === 'done') progress.value = progress.max = 1;
      else if (pull.total) {
        progress.max = pull.total;
        progress.value = pull.bytes;
      } else progress.removeAttribute('value');
      $('pull-text').textContent = pull.state !== 'running' ? '' : pull.total ? `${formatBytes(pull.bytes)} of ${formatBytes(pull.total)}` : formatBytes(pull.bytes);
    }
    this.#drawCatalogue();
  }

  #drawCatalogue() {
    const body = $('catalogue').tBodies[0];
    const items = this.#catalogue?.items ?? [];
    const busy = this.#pull?.state === 'running';
    body.replaceChildren(
      ...items.map((item) => {
        const action =
          item.state === 'missing'
            ? el('button', { type: 'button', disabled: busy || this.#catalogue.offline, 'data-pull': item.id, onclick: () => this.#start(item) }, 'Pull')
            : el('span', { class: 'muted' }, 'installed');
        return el(
          'tr',
          { 'data-id': item.id },
          el('td', {}, el('strong', {}, item.id), el('br'), el('small', { class: 'muted' }, item.description)),
          el('td', {}, item.kind),
          el('td', { class: item.licenceNotice ? 'licence notice' : 'licence' }, item.licence, item.licenceNotice ? ' ⚠' : ''),
          el('td', { class: 'num' }, formatBytes(item.bytes)),
          el('td', {}, action),
        );
      }),
    );
  }

  async #start(item) {
    let accepted = false;
    if (item.licenceNotice) {
      accepted = await confirmLicence(item);
      if (!accepted) return;
    }
    showError($('pull-error'), '');
    try {
      await postJson('/ui/api/pull', { id: item.id, accept_licence: accepted });
    } catch (err) {
      showError($('pull-error'), err.message);
    }
  }
}

/** The licence warning before a non-commercial or restricted model. */
function confirmLicence(item) {
  const dialog = $('licence-dialog');
  $('licence-text').textContent = `${item.id} is licensed ${item.licence}${item.flags.length ? ` (${item.flags.join(', ')})` : ''}: it may not be used for every purpose, commercial use in particular.`;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'accept'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
  });
}
