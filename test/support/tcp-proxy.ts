/**
 * A TCP proxy for the integration tests (node:net): put it between a client and Elasticsearch to
 * make Elasticsearch "unreachable" (stop: connections are cut and new ones refused) and back
 * (start again on the same port), and to count/hold HTTP requests on their way through.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** Port the proxy listens on (fixed after the first start). */
  port = 0;
  /** `POST /_bulk` requests seen (client to server). */
  bulkRequests = 0;
  /** When set, server-to-client data is swallowed (the client never gets its answers). */
  holdResponses = false;
  /** Response chunks swallowed while {@link holdResponses} was set (the upstream did answer). */
  heldResponseChunks = 0;
  /** Called with the running bulk count each time a `_bulk` request passes. */
  onBulk: ((count: number, requestText: string) => void) | undefined;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** For `http://host:port` URLs. */
  static forUrl(url: string): TcpProxy {
    const u = new URL(url);
    return new TcpProxy(u.hostname, Number(u.port || 80));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === 'object') this.port = addr.port;
    this.server = server;
  }

  /** Refuses new connections and cuts the open ones. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const bulks = text.match(/^POST \/_bulk/gm)?.length ?? 0;
      if (bulks > 0) {
        this.bulkRequests += bulks;
        this.onBulk?.(this.bulkRequests, text);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!this.holdResponses) client.write(chunk);
      else this.heldResponseChunks += 1;
    });
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  }
}
