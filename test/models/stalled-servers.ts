/**
 * Loopback peers that never answer, for the download timeouts: one that accepts connections and
 * then says nothing, and one whose connections never complete (a listener in a child process that
 * never accepts, its backlog filled, so the kernel drops further SYNs as it would for a host
 * beyond a link that is down).
 */
import { spawn } from 'node:child_process';
import net from 'node:net';

export interface StalledPeer {
  port: number;
  close(): Promise<void>;
}

/** Accepts every connection and never writes a byte. */
export async function silentListener(): Promise<StalledPeer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Connections to its port stay in SYN-SENT: the listener never accepts and its queue is full. */
export async function unconnectableListener(): Promise<StalledPeer> {
  // The child blocks its event loop right after listening, so nothing is ever accepted.
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
         process.stdout.write(s.address().port + '\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
       });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`listener exited ${code}`)));
  });
  // Fill the accept queue (backlog 1 holds two); later SYNs are dropped.
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve());
      s.once('error', reject);
      fillers.push(s);
    });
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
  };
}
