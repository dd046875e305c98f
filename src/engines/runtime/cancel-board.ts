/**
 * Cancellation that overtakes queued work. A worker thread handles its messages in order, so a
 * `cancel` message waits behind all audio already posted for the session. This board is shared
 * memory the worker reads before each piece of work: a cancelled session's queued audio is skipped
 * at once instead of decoded. Slots are indexed by session id modulo the size and hold the id, so a
 * later session reusing a slot is never mistaken for a cancelled one.
 */
const SLOTS = 4096;

export class CancelBoard {
  readonly #ids: Int32Array;

  /** A new board, or a view of one created on the other side of a worker boundary. */
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT)) {
    this.#ids = new Int32Array(buffer);
  }

  cancel(id: number): void {
    Atomics.store(this.#ids, id % this.#ids.length, id);
  }

  isCancelled(id: number): boolean {
    return Atomics.load(this.#ids, id % this.#ids.length) === id;
  }
}
