/**
 * A bench client in its own process, as Home Assistant is: its own work stays out of the daemon's
 * figures. The child sends one message when it is ready and answers each request with one reply.
 */
import { fork, type ChildProcess } from 'node:child_process';

export class ForkedClient<Request, Reply extends { error?: string }> {
  private constructor(private readonly child: ChildProcess) {}

  static async start<Request, Reply extends { error?: string }>(script: string, args: string[]): Promise<ForkedClient<Request, Reply>> {
    const child = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`bench client exited with ${code}`)));
    });
    return new ForkedClient<Request, Reply>(child);
  }

  ask(request: Request): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: Reply) => (reply.error ? reject(new Error(reply.error)) : resolve(reply)));
      this.child.send(request as object);
    });
  }

  close(): void {
    this.child.disconnect();
  }
}
