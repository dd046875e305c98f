// Captions (a partial grows in place until its final replaces it) and the spoken replies, each labelled by source.
import { $, el, clockTime } from './dom.js';

const MAX_SHOWN = 40;
// The front end of a provider request: Wyoming (Home Assistant), the HTTP file endpoints or Realtime.
const VIA = { wyoming: 'Wyoming', http: 'HTTP', realtime: 'Realtime' };

const label = (item) => (item.via ? `${item.source} · ${VIA[item.via] ?? item.via}` : item.source);

export class ActivityView {
  #play;

  /** play(text, voice): speaks a reply again in the browser. */
  constructor(play) {
    this.#play = play;
  }

  reset(captions, replies) {
    $('captions').replaceChildren();
    $('replies').replaceChildren();
    for (const c of captions) this.caption(c);
    for (const r of replies) this.reply(r);
  }

  caption(c) {
    const list = $('captions');
    const node = el(
      'li',
      { class: c.final ? 'final' : 'partial', 'data-id': c.id, 'data-source': c.source },
      el('span', { class: `source ${c.source}` }, label(c)),
      el('span', { class: 'text' }, c.text),
      ' ',
      el('time', { class: 'muted', datetime: c.at }, clockTime(c.at)),
    );
    const old = list.querySelector(`li[data-id="${c.id}"]`);
    if (old) old.replaceWith(node);
    else list.prepend(node);
    this.#trim(list);
    $('no-captions').hidden = list.children.length > 0;
  }

  reply(r) {
    const list = $('replies');
    const play = el('button', { type: 'button', 'aria-label': `Play: ${r.text}`, onclick: () => this.#play(r.text, r.voice) }, 'Play');
    list.prepend(
      el(
        'li',
        { 'data-id': r.id },
        el('span', { class: `source ${r.source}` }, label(r)),
        el('span', { class: 'text' }, r.text, ' ', el('small', { class: 'muted' }, [r.voice, clockTime(r.at)].filter(Boolean).join(' · '))),
        play,
      ),
    );
    this.#trim(list);
    $('no-replies').hidden = list.children.length > 0;
  }

  #trim(list) {
    while (list.children.length > MAX_SHOWN) list.lastElementChild.remove();
  }
}
