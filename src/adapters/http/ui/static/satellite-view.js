// The satellite card: state, Home Assistant link, mic meter, wake scores, and the controls (MQTT's commands).
import { postJson } from './api.js';
import { $, el, showError, clockTime } from './dom.js';

const FLOOR_DB = -90;
const WAKE_FIRED = 0.5;

export class SatelliteView {
  #satellite = null;
  #scoreRows = new Map();

  constructor() {
    $('mute').addEventListener('click', () => this.#command('mute', !(this.#satellite?.muted ?? false)));
    $('volume').addEventListener('change', (e) => this.#command('volume', Number(e.target.value)));
    $('volume').addEventListener('input', (e) => ($('volume-text').textContent = `${e.target.value} %`));
    $('wake-word').addEventListener('change', (e) => this.#command('wake_word', e.target.value));
  }

  show(satellite) {
    this.#satellite = satellite;
    $('no-satellite').hidden = satellite !== null;
    $('satellite-body').hidden = satellite === null;
    if (!satellite) return;
    const state = $('state');
    state.textContent = satellite.state;
    state.dataset.state = satellite.state;
    $('state-detail').textContent = satellite.detail ?? '';
    const ha = $('ha');
    ha.textContent = satellite.haConnected ? 'connected' : 'not connected';
    ha.className = `pill ${satellite.haConnected ? 'ok' : 'bad'}`;
    const mute = $('mute');
    mute.setAttribute('aria-pressed', String(satellite.muted));
    mute.textContent = satellite.muted ? 'Unmute' : 'Mute';
    const volume = $('volume');
    if (document.activeElement !== volume) volume.value = String(satellite.volume);
    $('volume-text').textContent = `${satellite.volume} %`;
    const select = $('wake-word');
    select.replaceChildren(...satellite.wakeWords.map((w) => el('option', { value: w, selected: w === satellite.activeWakeWord }, w)));
    select.disabled = satellite.wakeWords.length < 2;
  }

  level({ rmsDbfs, peakDbfs }) {
    const clamp = Math.max(FLOOR_DB, Math.min(0, rmsDbfs));
    $('level-fill').style.width = `${((clamp - FLOOR_DB) / -FLOOR_DB) * 100}%`;
    $('level').setAttribute('aria-valuenow', String(Math.round(clamp)));
    $('level-text').textContent = `${Math.round(rmsDbfs)} dB`;
    $('level').title = `peak ${Math.round(peakDbfs)} dBFS`;
  }

  scores({ scores }) {
    const box = $('scores');
    for (const [word, score] of Object.entries(scores)) {
      let row = this.#scoreRows.get(word);
      if (!row) {
        const fill = el('div', { class: 'fill' });
        const text = el('span', { class: 'num muted' });
        const meter = el('div', { class: 'meter', role: 'meter', 'aria-label': `wake score ${word}`, 'aria-valuemin': 0, 'aria-valuemax': 1 }, fill);
        row = { node: el('div', { class: 'score' }, el('span', {}, word), meter, text), fill, text, meter };
        this.#scoreRows.set(word, row);
        box.append(row.node);
      }
      row.fill.style.width = `${Math.round(score * 100)}%`;
      row.text.textContent = score.toFixed(2);
      row.meter.setAttribute('aria-valuenow', String(score));
      row.node.classList.toggle('fired', score >= WAKE_FIRED);
    }
  }

  wake({ name, phrase, source, at }) {
    $('last-wake').textContent = `Last wake word: ${phrase || name} (${source}) at ${clockTime(at)}`;
  }

  async #command(command, value) {
    showError($('control-error'), '');
    try {
      await postJson('/ui/api/command', { command, value });
    } catch (err) {
      showError($('control-error'), err.message);
    }
  }
}
