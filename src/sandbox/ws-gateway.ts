// The long-connection gateway the SDK's WSClient talks to (lark-platform.md §3a):
//   POST /callback/ws/endpoint {AppID, AppSecret} → {code:0, data:{URL, ClientConfig}}
//   GET  /ws?fpid=1&device_id=…&service_id=1 (WebSocket) → pbbp2.Frame binary frames.
// Events go out as method=1 frames (header type=event); the client echoes the frame with payload {"code":200[,"data":base64]}
// as the ack. Pings (method=0, type=ping) are answered with pong + ClientConfig. With several clients connected each
// event goes to one of them (cluster mode, round robin here).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { hex } from './crypto.js';
import type { PushResult, Transport } from './delivery.js';
import type { Envelope } from './events.js';
import { parseJson, readBody, sendJson } from './http-util.js';
import { decodeFrame, encodeFrame, FrameMethod, header, type Frame } from './ws-protocol.js';

const SERVICE_ID = 1;
const MAX_CONNECTIONS = 50; // Lark: up to 50 connections per app
const FRAGMENT_BYTES = 16 * 1024;
const TICKET_TTL_MS = 5 * 60 * 1000;

/** Seconds, as Lark sends them. Lark itself uses 120/-1/120/30; reconnects are quicker here so restarts feel instant. */
export const CLIENT_CONFIG = { PingInterval: 120, ReconnectCount: -1, ReconnectInterval: 3, ReconnectNonce: 1 };

interface Conn {
  ws: WebSocket;
  deviceId: string;
}

interface PendingAck {
  conn: Conn;
  resolve: (r: PushResult) => void;
  timer: NodeJS.Timeout;
}

export interface WsGatewayOptions {
  appId: string;
  appSecret: string;
  log: (line: string) => void;
  onConnectionsChanged?: () => void;
}

export class WsGateway implements Transport {
  readonly name = 'ws';
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns: Conn[] = [];
  private readonly tickets = new Map<string, number>();
  private readonly pending = new Map<string, PendingAck>();
  private seq = 0;
  private next = 0;

  constructor(private readonly o: WsGatewayOptions) {}

  get connectionCount(): number {
    return this.conns.length;
  }

  async handleEndpoint(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = parseJson(await readBody(req)) as { AppID?: unknown; AppSecret?: unknown };
    if (body.AppID !== this.o.appId || body.AppSecret !== this.o.appSecret) {
      sendJson(res, 200, { code: 514, msg: 'auth failed: AppID or AppSecret is wrong', data: {} });
      return;
    }
    if (this.conns.length >= MAX_CONNECTIONS) {
      sendJson(res, 200, { code: 1000040350, msg: 'exceed connection limit', data: {} });
      return;
    }
    const deviceId = hex(8);
    this.tickets.set(deviceId, Date.now() + TICKET_TTL_MS);
    const host = req.headers.host ?? '127.0.0.1';
    // device_id must not be the first query parameter: the SDK qs-parses the whole URL.
    const url = `ws://${host}/ws?fpid=1&device_id=${deviceId}&service_id=${SERVICE_ID}&ticket=${hex(8)}`;
    sendJson(res, 200, { code: 0, msg: 'ok', data: { URL: url, ClientConfig: CLIENT_CONFIG } });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const deviceId = url.searchParams.get('device_id') ?? '';
    const exp = this.tickets.get(deviceId);
    if (!exp || exp < Date.now()) {
      socket.end('HTTP/1.1 403 Forbidden\r\nhandshake-status: 403\r\nhandshake-msg: invalid device_id\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.tickets.delete(deviceId);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, deviceId));
  }

  private accept(ws: WebSocket, deviceId: string): void {
    const conn: Conn = { ws, deviceId };
    this.conns.push(conn);
    this.o.log(`ws client connected (device ${deviceId}, ${this.conns.length} connected)`);
    this.o.onConnectionsChanged?.();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      try {
        this.onFrame(conn, decodeFrame(data));
      } catch (e) {
        this.o.log(`ws: undecodable frame from ${deviceId}: ${(e as Error).message}`);
      }
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      const i = this.conns.indexOf(conn);
      if (i >= 0) this.conns.splice(i, 1);
      for (const [id, p] of this.pending) {
        if (p.conn === conn) {
          clearTimeout(p.timer);
          this.pending.delete(id);
          p.resolve({ ok: false, reason: 'ws connection closed before ack' });
        }
      }
      this.o.log(`ws client disconnected (device ${deviceId}, ${this.conns.length} connected)`);
      this.o.onConnectionsChanged?.();
    });
  }

  private onFrame(conn: Conn, f: Frame): void {
    const type = header(f, 'type');
    if (f.method === FrameMethod.control) {
      if (type === 'ping') {
        this.send(conn, {
          SeqID: 0,
          LogID: 0,
          service: f.service,
          method: FrameMethod.control,
          headers: [{ key: 'type', value: 'pong' }],
          payload: Buffer.from(JSON.stringify(CLIENT_CONFIG)),
        });
      }
      return;
    }
    // method=data from the client is an ack of a frame we pushed.
    const id = header(f, 'message_id') ?? '';
    const p = this.pending.get(id);
    if (!p) return; // late ack: Lark has already scheduled a re-push
    clearTimeout(p.timer);
    this.pending.delete(id);
    let ack: { code?: number; data?: string } = {};
    try {
      ack = JSON.parse(Buffer.from(f.payload ?? new Uint8Array()).toString('utf8')) as typeof ack;
    } catch {
      p.resolve({ ok: false, reason: 'malformed ack payload' });
      return;
    }
    if (ack.code !== 200) {
      p.resolve({ ok: false, reason: `client acked with code ${String(ack.code)}` });
      return;
    }
    let answer: unknown = {};
    if (typeof ack.data === 'string' && ack.data !== '') {
      try {
        answer = JSON.parse(Buffer.from(ack.data, 'base64').toString('utf8'));
      } catch {
        answer = {};
      }
    }
    p.resolve({ ok: true, answer });
  }

  private send(conn: Conn, f: Frame): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(encodeFrame(f));
  }

  push(env: Envelope, timeoutMs: number): Promise<PushResult> {
    const open = this.conns.filter((c) => c.ws.readyState === WebSocket.OPEN);
    if (open.length === 0) return Promise.resolve({ ok: false, reason: 'no ws client connected' });
    const conn = open[this.next++ % open.length] as Conn;
    const messageId = `${env.header.event_id}_${hex(4)}`; // a fresh frame id per attempt so fragments never mix
    const payload = Buffer.from(JSON.stringify(env));
    const parts: Buffer[] = [];
    for (let i = 0; i < payload.length; i += FRAGMENT_BYTES) parts.push(payload.subarray(i, i + FRAGMENT_BYTES));
    return new Promise<PushResult>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(messageId);
        resolve({ ok: false, reason: `no ack within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(messageId, { conn, resolve, timer });
      parts.forEach((part, i) => {
        this.seq += 1;
        this.send(conn, {
          SeqID: this.seq,
          LogID: this.seq,
          service: SERVICE_ID,
          method: FrameMethod.data,
          headers: [
            { key: 'type', value: 'event' },
            { key: 'message_id', value: messageId },
            { key: 'sum', value: String(parts.length) },
            { key: 'seq', value: String(i) },
            { key: 'trace_id', value: hex(8) },
          ],
          payload: part,
        });
      });
    });
  }

  /** Kill every live socket (as a network drop would); clients are expected to reconnect. */
  dropConnections(): number {
    const n = this.conns.length;
    for (const c of [...this.conns]) c.ws.terminate();
    return n;
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, reason: 'sandbox closed' });
    }
    this.pending.clear();
    this.dropConnections();
    this.wss.close();
  }
}
