import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

const IDLE_CLOSE_MS = 1000;
const DRAIN_MS = 20_000;

interface SocketState {
  active: number;
  idleSince: number;
}

/**
 * Graceful HTTP drain for keep-alive clients. Once draining: the listener stops accepting, every
 * response says `Connection: close` (so clients stop reusing the socket after it), and a socket is
 * only closed by us after it has been idle for a while — never while a request is in flight or
 * right after a response, when the client may already be sending its next request.
 */
export class HttpDrain {
  private draining = false;
  private readonly sockets = new Map<Socket, SocketState>();

  /** Express middleware, first in the chain: tracks requests per socket. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const state = this.state(req.socket);
    state.active++;
    if (this.draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      state.active--;
      state.idleSince = Date.now();
    });
    next();
  };

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.state(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  /** Stops accepting, then waits until every connection is gone (or `DRAIN_MS` passed). */
  async drain(server: Server): Promise<void> {
    this.draining = true;
    // net.Server#close stops listening without http.Server#close's immediate idle-socket cull.
    NetServer.prototype.close.call(server);
    const deadline = Date.now() + DRAIN_MS;
    while (this.sockets.size && Date.now() < deadline) {
      const now = Date.now();
      for (const [socket, state] of this.sockets) {
        if (state.active === 0 && now - state.idleSince >= IDLE_CLOSE_MS) socket.end();
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const socket of this.sockets.keys()) socket.destroy();
  }

  private state(socket: Socket): SocketState {
    let state = this.sockets.get(socket);
    if (!state) {
      state = { active: 0, idleSince: Date.now() };
      this.sockets.set(socket, state);
    }
    return state;
  }
}
