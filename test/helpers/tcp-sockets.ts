/**
 * Server-side TCP connections of a local port, read from /proc/net/tcp{,6}: a black-box count of
 * what an endpoint still holds (an open connection, or one whose peer left but the server never
 * closed), for tests that check nothing is left over.
 */
import { readFileSync } from 'node:fs';

/** Kernel TCP states (include/net/tcp_states.h) in which the server side still holds the socket. */
const HELD_STATES = new Set(['01' /* ESTABLISHED */, '03' /* SYN_RECV */, '08' /* CLOSE_WAIT */]);
const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

export function hasProcNetTcp(): boolean {
  try {
    readFileSync(TABLES[0]!, 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** Connections held on local port `port` (the listening socket itself is not counted). */
export function heldConnections(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of TABLES) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      if (local?.endsWith(`:${hexPort}`) && state && HELD_STATES.has(state)) count++;
    }
  }
  return count;
}
