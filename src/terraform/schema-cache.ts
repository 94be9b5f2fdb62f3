/**
 * A provider's schema and its validation of a provider block, answered once per provider process.
 * Every terraform process asks the AWS provider for its whole schema (GetSchema: several MB, about a
 * CPU-second of the provider's work) and, in each of its graph walks, to validate the stack's
 * provider block (PrepareProviderConfig: about 1.7 CPU-seconds, measured here); nothing caches either
 * across processes. Between Terraform and a pooled provider (see provider-server) sits this proxy: a
 * plain HTTP/2 relay of the gRPC plugin protocol on a unix socket of its own, which forwards every
 * call unchanged except those, whose first successful answer to a given request it keeps and replays
 * to the same request later. Both answers depend only on the request and the provider's binary and
 * environment, which are fixed for the life of its process, so the replay is what it would answer.
 */
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The plugin protocol's calls (protocol 5 and 6) whose answers depend on the binary and the request
 * only: the schema, and the validation of a provider block (which the AWS provider answers in about
 * 1.7 CPU-seconds, twice per terraform process: validate and plan each ask).
 */
const SCHEMA_CALLS = new Set([
  '/tfplugin5.Provider/GetSchema',
  '/tfplugin6.Provider/GetProviderSchema',
  '/tfplugin5.Provider/GetMetadata',
  '/tfplugin6.Provider/GetMetadata',
  '/tfplugin5.Provider/PrepareProviderConfig',
  '/tfplugin6.Provider/ValidateProviderConfig',
]);

interface Answer {
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: Buffer;
  readonly trailers: http2.IncomingHttpHeaders;
}

/** The call succeeded: gRPC status 0, in the trailers (or the headers of a trailers-only answer). */
const succeeded = (answer: Answer) => String(answer.trailers['grpc-status'] ?? answer.headers['grpc-status']) === '0';

/** Response headers as a server may send them again (no pseudo-headers but :status). */
function forwardable(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if ((!name.startsWith(':') || name === ':status') && value !== undefined) out[name] = value;
  return out;
}

export class SchemaCachingProxy {
  /** Schema calls answered from the cache, and forwarded (for the benchmark's line). */
  replayed = 0;
  forwarded = 0;
  private readonly answers = new Map<string, Promise<Answer | undefined>>();
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http2.Http2Server,
    private readonly upstream: http2.ClientHttp2Session,
    private readonly folder: string,
    /** The unix socket Terraform attaches to. */
    readonly address: string,
  ) {}

  /** Listens on a socket in a private temp folder of its own and relays to the provider at `providerSocket`. */
  static async start(providerSocket: string): Promise<SchemaCachingProxy> {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-schema-'));
    const address = path.join(folder, 'provider.sock');
    const upstream = http2.connect('http://provider', { createConnection: () => net.connect(providerSocket) });
    upstream.on('error', () => undefined);
    const server = http2.createServer();
    const proxy = new SchemaCachingProxy(server, upstream, folder, address);
    server.on('connection', (socket: net.Socket) => {
      proxy.sockets.add(socket);
      socket.once('close', () => proxy.sockets.delete(socket));
    });
    server.on('stream', (stream, headers) => proxy.relay(stream, headers));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(address, () => resolve());
    });
    return proxy;
  }

  private relay(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const call = String(headers[':path']);
    if (!SCHEMA_CALLS.has(call)) {
      this.pipe(stream, headers);
      return;
    }
    // A schema call: its request (an empty message, but keyed on it all the same) read whole first.
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      const key = `${call}\n${Buffer.concat(chunks).toString('base64')}`;
      let answer = this.answers.get(key);
      if (answer === undefined) {
        this.forwarded++;
        answer = this.fetch(headers, Buffer.concat(chunks));
        this.answers.set(key, answer);
      } else this.replayed++;
      void answer.then((found) => {
        // An error answer is passed on, not kept: the next caller asks the provider again.
        if (found === undefined || !succeeded(found)) this.answers.delete(key);
        if (stream.destroyed) return;
        if (found === undefined) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        else if (Object.keys(found.trailers).length === 0)
          // A trailers-only answer: its status is in the headers.
          stream.respond(forwardable(found.headers), { endStream: true });
        else {
          stream.respond(forwardable(found.headers), { waitForTrailers: true });
          stream.once('wantTrailers', () => stream.sendTrailers(forwardable(found.trailers)));
          stream.end(found.body);
        }
      });
    });
  }

  /** One call to the provider, its whole answer; undefined when the connection failed. */
  private fetch(headers: http2.IncomingHttpHeaders, body: Buffer): Promise<Answer | undefined> {
    return new Promise((resolve) => {
      const request = this.upstream.request(
        { ':method': 'POST', ':path': String(headers[':path']), ...requestHeaders(headers) },
        { endStream: false },
      );
      let responseHeaders: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      request.on('response', (received) => (responseHeaders = received));
      request.on('trailers', (received) => (trailers = received));
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.once('error', () => resolve(undefined));
      request.once('close', () =>
        resolve(
          responseHeaders[':status'] === undefined
            ? undefined
            : { headers: responseHeaders, body: Buffer.concat(chunks), trailers },
        ),
      );
      request.end(body);
    });
  }

  /** Any other call, relayed both ways as it streams (streaming calls included). */
  private pipe(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const request = this.upstream.request(
      { ':method': String(headers[':method']), ':path': String(headers[':path']), ...requestHeaders(headers) },
      { endStream: false },
    );
    let trailers: http2.IncomingHttpHeaders = {};
    request.on('response', (received) => {
      if (stream.destroyed) return;
      // A trailers-only answer (an error status in the headers) ends the call at once.
      if (received['grpc-status'] !== undefined) stream.respond(forwardable(received), { endStream: true });
      else {
        stream.respond(forwardable(received), { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers(forwardable(trailers)));
      }
    });
    request.on('trailers', (received) => (trailers = received));
    request.on('data', (chunk: Buffer) => {
      if (!stream.destroyed && stream.headersSent && !stream.writableEnded) stream.write(chunk);
    });
    request.once('end', () => {
      if (!stream.destroyed && stream.headersSent && !stream.writableEnded) stream.end();
    });
    request.once('error', () => stream.destroyed || stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('data', (chunk: Buffer) => request.write(chunk));
    stream.once('end', () => request.end());
    stream.once('close', () => request.destroyed || request.close(http2.constants.NGHTTP2_CANCEL));
    stream.once('error', () => undefined);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.upstream.destroy();
    fs.rmSync(this.folder, { recursive: true, force: true });
  }
}

/** The caller's headers as a new request carries them (no pseudo-headers: the session sets its own). */
function requestHeaders(headers: http2.IncomingHttpHeaders): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!name.startsWith(':') && value !== undefined) out[name] = value;
  return out;
}
