/**
 * The pool's schema cache, between a client and a stand-in provider speaking HTTP/2 as gRPC does: the
 * schema and provider-block validation are asked of the provider once per distinct request and then
 * replayed byte for byte; every other call, streaming ones included, goes through each time; an error
 * answer reaches its caller and is never kept. (End to end, every test against the emulator runs
 * terraform through it.)
 */
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SchemaCachingProxy } from '../../src/terraform/schema-cache';

interface Reply {
  readonly status?: string;
  readonly headers: http2.IncomingHttpHeaders;
  readonly body: string;
}

let dir: string;
let provider: http2.Http2Server;
let proxy: SchemaCachingProxy;
const calls: Record<string, number> = {};
/** The next answers to GetMetadata fail (trailers-only, UNAVAILABLE), as many as this says. */
let metadataFailures = 0;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-cache-'));
  const socket = path.join(dir, 'provider.sock');
  provider = http2.createServer();
  provider.on('stream', (stream, headers) => {
    const call = String(headers[':path']);
    const count = (calls[call] = (calls[call] ?? 0) + 1);
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      if (call.endsWith('/GetMetadata') && metadataFailures > 0) {
        metadataFailures--;
        stream.respond(
          { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14' },
          { endStream: true },
        );
        return;
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      if (call.endsWith('/StreamStdio')) {
        // A streaming call: three messages, apart in time.
        let sent = 0;
        const timer = setInterval(() => {
          stream.write(`line ${++sent};`);
          if (sent === 3) {
            clearInterval(timer);
            stream.end();
          }
        }, 20);
        return;
      }
      stream.end(`${call} #${count} for ${Buffer.concat(chunks).toString()}`);
    });
  });
  await new Promise<void>((resolve) => provider.listen(socket, resolve));
  proxy = await SchemaCachingProxy.start(socket);
});

afterAll(async () => {
  await proxy.close();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** One call through the proxy, as terraform makes it. */
function call(rpc: string, body: string): Promise<Reply> {
  const session = http2.connect('http://terraform', { createConnection: () => net.connect(proxy.address) });
  return new Promise((resolve, reject) => {
    const request = session.request({
      ':method': 'POST',
      ':path': rpc,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let headers: http2.IncomingHttpHeaders = {};
    let status: string | undefined;
    let text = '';
    request.on('response', (received) => {
      headers = received;
      status = received['grpc-status'] as string | undefined;
    });
    request.on('trailers', (trailers) => (status = trailers['grpc-status'] as string | undefined));
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.once('error', reject);
    request.once('close', () => {
      session.close();
      resolve({ status, headers, body: text });
    });
    request.end(body);
  });
}

test('the schema is asked of the provider once, then replayed byte for byte', async () => {
  const first = await call('/tfplugin5.Provider/GetSchema', '');
  const again = await Promise.all([1, 2, 3].map(() => call('/tfplugin5.Provider/GetSchema', '')));
  expect(first).toMatchObject({ status: '0', body: '/tfplugin5.Provider/GetSchema #1 for ' });
  for (const reply of again) expect(reply).toEqual(first);
  expect(calls['/tfplugin5.Provider/GetSchema']).toBe(1);
  expect(proxy.replayed).toBe(3);
});

test("a provider block's validation is kept per request: another stack's block is asked again", async () => {
  const north = await call('/tfplugin5.Provider/PrepareProviderConfig', 'north');
  expect(await call('/tfplugin5.Provider/PrepareProviderConfig', 'north')).toEqual(north);
  const south = await call('/tfplugin5.Provider/PrepareProviderConfig', 'south');
  expect([north.body, south.body]).toEqual([
    '/tfplugin5.Provider/PrepareProviderConfig #1 for north',
    '/tfplugin5.Provider/PrepareProviderConfig #2 for south',
  ]);
  expect(calls['/tfplugin5.Provider/PrepareProviderConfig']).toBe(2);
});

test('every other call reaches the provider each time, with its own answer', async () => {
  const replies = [
    await call('/tfplugin5.Provider/ReadResource', 'a'),
    await call('/tfplugin5.Provider/ReadResource', 'a'),
  ];
  expect(replies.map((reply) => [reply.status, reply.body])).toEqual([
    ['0', '/tfplugin5.Provider/ReadResource #1 for a'],
    ['0', '/tfplugin5.Provider/ReadResource #2 for a'],
  ]);
});

test('a streaming call streams through', async () => {
  expect(await call('/plugin.GRPCStdio/StreamStdio', '')).toMatchObject({ status: '0', body: 'line 1;line 2;line 3;' });
});

test('an error answer reaches its caller and is not kept: the next caller asks the provider again', async () => {
  metadataFailures = 1;
  const failed = await call('/tfplugin5.Provider/GetMetadata', '');
  expect([failed.status, failed.body]).toEqual(['14', '']);
  const ok = await call('/tfplugin5.Provider/GetMetadata', '');
  expect([ok.status, ok.body]).toEqual(['0', '/tfplugin5.Provider/GetMetadata #2 for ']);
  expect(await call('/tfplugin5.Provider/GetMetadata', '')).toEqual(ok);
  expect(calls['/tfplugin5.Provider/GetMetadata']).toBe(2);
});
