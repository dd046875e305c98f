// The live view: one event stream drives every card; the page sends commands through the shim's API.
import { apiKey, keyProblems, saveApiKey } from './api.js';
import { ActivityView } from './activity-view.js';
import { $ } from './dom.js';
import { LiveStream } from './live-stream.js';
import { ModelsView } from './models-view.js';
import { SatelliteView } from './satellite-view.js';
import { TryIt } from './try-it.js';

const STREAM_LABELS = { connecting: 'connecting…', live: 'live', retrying: 'reconnecting…', key: 'API key needed' };

const satellite = new SatelliteView();
const models = new ModelsView();
const tryIt = new TryIt();
const activity = new ActivityView((text, voice) => tryIt.speak(text, voice, { replay: true }));
let about = null;

const handlers = {
  snapshot(data) {
    about = data.about;
    $('title').textContent = about.name;
    document.title = `${about.name} · speech-satellite`;
    $('version').textContent = `v${about.version}`;
    satellite.show(data.satellite);
    models.showModels(data.models);
    tryIt.showVoices(data.models, about.maxTextChars);
    models.showCatalogue(data.catalogue, about.catalogueProblem);
    models.showPull(data.pull);
    activity.reset(data.captions, data.replies);
  },
  satellite: (data) => satellite.show(data),
  level: (data) => satellite.level(data),
  scores: (data) => satellite.scores(data),
  wake: (data) => satellite.wake(data),
  caption: (data) => activity.caption(data),
  reply: (data) => activity.reply(data),
  models(data) {
    models.showModels(data);
    tryIt.showVoices(data, about?.maxTextChars);
  },
  catalogue: (data) => models.showCatalogue(data, about?.catalogueProblem),
  pull: (data) => models.showPull(data),
};

const stream = new LiveStream(
  (type, data) => handlers[type]?.(data),
  (status) => {
    const pill = $('stream');
    pill.textContent = STREAM_LABELS[status] ?? status;
    pill.className = `pill ${status === 'live' ? 'ok' : status === 'key' ? 'bad' : ''}`;
    document.body.dataset.stream = status;
  },
);

function askForKey() {
  const form = $('key-form');
  form.hidden = false;
  $('key-input').focus();
}

keyProblems.addEventListener('needed', askForKey);
$('key-button').addEventListener('click', askForKey);
$('key-input').value = apiKey();
$('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  saveApiKey($('key-input').value.trim());
  $('key-form').hidden = true;
  stream.start();
});

stream.start();
