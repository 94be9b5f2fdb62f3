/**
 * The shared provider process: which binary it starts (the one `terraform init` installed for the
 * stack, only for a single provider block), the reattach handshake, and the fallback to Terraform's
 * own provider processes whenever the handshake does not happen.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ProviderPool,
  installedProvider,
  socketLeftover,
  withSharedProvider,
} from '../../src/terraform/provider-server';

const LOCK = `provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "5.100.0"
  hashes = ["h1:abc="]
}
`;

function platform(): string {
  return `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;
}

/** Where `terraform init` puts the provider of a stack folder. */
function providerDir(stack: string): string {
  return path.join(
    stack,
    '.terraform',
    'providers',
    'registry.terraform.io',
    'hashicorp',
    'aws',
    '5.100.0',
    platform(),
  );
}

/** A stack folder as `terraform init` leaves it, with `script` as the provider binary. */
function stackDir(script: string, providers: unknown[] = [{ region: 'eu-west-1' }]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sesform-provider-'));
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify({ provider: { aws: providers } }));
  fs.writeFileSync(path.join(dir, '.terraform.lock.hcl'), LOCK);
  const binDir = providerDir(dir);
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(path.join(binDir, 'terraform-provider-aws_v5.100.0_x5'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return dir;
}

const alive = (pid: string | number) => {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
};

const REATTACH =
  '{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,"Pid":1,"Test":true,"Addr":{"Network":"unix","String":"/tmp/x"}}}';
/** Shell lines that print the handshake as the provider does. */
const REATTACH_LINE = () => `cat <<'END'\nTF_REATTACH_PROVIDERS='${REATTACH}'\nEND`;

test('the binary is the one init installed, for a stack with exactly one provider block', () => {
  const dir = stackDir('exit 0');
  expect(installedProvider(dir)).toBe(path.join(providerDir(dir), 'terraform-provider-aws_v5.100.0_x5'));
  expect(
    installedProvider(stackDir('exit 0', [{ region: 'eu-west-1' }, { region: 'us-east-1', alias: 'b' }])),
  ).toBeUndefined();
  fs.rmSync(path.join(dir, '.terraform.lock.hcl'));
  expect(installedProvider(dir)).toBeUndefined();
});

test('after the handshake the steps get TF_REATTACH_PROVIDERS, and the process is stopped after them', async () => {
  const pidFile = path.join(os.tmpdir(), `sesform-provider-${process.pid}.pid`);
  const dir = stackDir(`echo $$ > ${pidFile}\n${REATTACH_LINE()}\nexec sleep 60`);
  const seen = await withSharedProvider(dir, { PATH: process.env.PATH }, async (env) => env.TF_REATTACH_PROVIDERS);
  // Terraform attaches to the pool's schema cache (see schema-cache), which relays to the provider.
  const attached = JSON.parse(seen!);
  const own = JSON.parse(REATTACH);
  expect(attached['registry.terraform.io/hashicorp/aws'].Addr.String).toMatch(/sesform-schema-\w+\/provider\.sock$/);
  attached['registry.terraform.io/hashicorp/aws'].Addr = own['registry.terraform.io/hashicorp/aws'].Addr;
  expect(attached).toEqual(own);
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  expect(() => process.kill(pid, 0)).toThrow();
});

test("the provider's socket in the temp folder (a pluginNNN file, or an older release's folder) is removed when it stops", async () => {
  const stamp = `${process.pid}${Date.now()}`;
  // As go-plugin names them: "plugin" and digits, right in the temp folder.
  const socket = path.join(os.tmpdir(), `plugin${stamp}1`);
  fs.writeFileSync(socket, '');
  const folder = path.join(os.tmpdir(), `plugin${stamp}2`);
  fs.mkdirSync(folder);
  fs.writeFileSync(path.join(folder, 'plugin.sock'), '');
  for (const address of [socket, path.join(folder, 'plugin.sock')]) {
    const reattach = REATTACH.replace('/tmp/x', address);
    const dir = stackDir(`cat <<'END'\nTF_REATTACH_PROVIDERS='${reattach}'\nEND\nexec sleep 60`);
    await withSharedProvider(dir, { PATH: process.env.PATH }, async (env) => env.TF_REATTACH_PROVIDERS);
  }
  expect([fs.existsSync(socket), fs.existsSync(folder)]).toEqual([false, false]);
  expect(fs.existsSync(os.tmpdir())).toBe(true);
  // Nothing else is ever removed: not the temp folder, not a plugin name elsewhere.
  expect(socketLeftover(REATTACH.replace('/tmp/x', '/home/me/plugin1/x.sock'))).toBeUndefined();
  expect(socketLeftover(REATTACH.replace('/tmp/x', '/home/me/plugin1'))).toBeUndefined();
  expect(socketLeftover(REATTACH.replace('/tmp/x', path.join(os.tmpdir(), 'other', 'x.sock')))).toBeUndefined();
  expect(socketLeftover(REATTACH.replace('/tmp/x', path.join(os.tmpdir(), 'x.sock')))).toBeUndefined();
  expect(socketLeftover(REATTACH.replace('/tmp/x', os.tmpdir()))).toBeUndefined();
});

test('a provider never outlives sesform: when the process that pooled it is killed (SIGKILL), it stops by itself', async () => {
  const pidFile = path.join(os.tmpdir(), `sesform-orphan-${process.pid}.pid`);
  fs.rmSync(pidFile, { force: true });
  const dir = stackDir(`echo $$ > ${pidFile}\n${REATTACH_LINE()}\nexec sleep 600`);
  const script = path.join(dir, 'pool.ts');
  fs.writeFileSync(
    script,
    `import { ProviderPool } from ${JSON.stringify(path.resolve(__dirname, '../../src/terraform/provider-server'))};
new ProviderPool().use(${JSON.stringify(dir)}, { PATH: process.env.PATH }, () => {
  process.stdout.write('attached\\n');
  return new Promise(() => undefined);
});
`,
  );
  const { spawn } = await import('node:child_process');
  const owner = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) =>
    owner.stdout.on('data', (chunk: Buffer) => chunk.includes('attached') && resolve()),
  );
  const provider = Number(fs.readFileSync(pidFile, 'utf8'));
  expect(alive(provider)).toBe(true);
  owner.kill('SIGKILL');
  const deadline = Date.now() + 5_000;
  while (alive(provider) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(alive(provider)).toBe(false);
});

test('without a handshake (a provider that exits, or says nothing in time) the steps run as usual', async () => {
  const exits = stackDir('exit 3');
  expect(
    await withSharedProvider(exits, { PATH: process.env.PATH }, async (env) => env.TF_REATTACH_PROVIDERS),
  ).toBeUndefined();
  const silent = stackDir('exec sleep 60');
  const started = Date.now();
  const env = await withSharedProvider(silent, { PATH: process.env.PATH }, async (each) => each, { timeoutMs: 300 });
  expect(env.TF_REATTACH_PROVIDERS).toBeUndefined();
  expect(Date.now() - started).toBeLessThan(10_000);
});

test("SESFORM_SCHEMA_CACHE=0: terraform attaches to the provider's own socket", async () => {
  process.env.SESFORM_SCHEMA_CACHE = '0';
  try {
    const dir = stackDir(`${REATTACH_LINE()}\nexec sleep 60`);
    expect(await withSharedProvider(dir, {}, async (env) => env.TF_REATTACH_PROVIDERS)).toBe(REATTACH);
  } finally {
    delete process.env.SESFORM_SCHEMA_CACHE;
  }
});

test('SESFORM_SHARED_PROVIDER=0 turns it off', async () => {
  process.env.SESFORM_SHARED_PROVIDER = '0';
  try {
    const dir = stackDir(`${REATTACH_LINE()}\nexec sleep 60`);
    expect(await withSharedProvider(dir, {}, async (env) => env.TF_REATTACH_PROVIDERS)).toBeUndefined();
  } finally {
    delete process.env.SESFORM_SHARED_PROVIDER;
  }
});

describe('the pool: one process per worker for the whole run', () => {
  /** A fake provider that appends its pid to `pids` and answers the handshake with its own pid. */
  const recordingProvider = (pids: string) =>
    stackDir(
      `echo $$ >> ${pids}\ncat <<END\nTF_REATTACH_PROVIDERS='{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,"Pid":$$,"Test":true,"Addr":{"Network":"unix","String":"/tmp/x"}}}'\nEND\nexec sleep 60`,
    );
  const startedPids = (pids: string) => fs.readFileSync(pids, 'utf8').trim().split('\n');

  test('stacks taken one after another reuse one process; close stops it', async () => {
    const pids = path.join(os.tmpdir(), `sesform-pool-${process.pid}-a`);
    fs.rmSync(pids, { force: true });
    const pool = new ProviderPool();
    const seen = [];
    for (const dir of [recordingProvider(pids), recordingProvider(pids), recordingProvider(pids)])
      seen.push(await pool.use(dir, { PATH: process.env.PATH }, async (env) => env.TF_REATTACH_PROVIDERS));
    expect(new Set(seen).size).toBe(1);
    expect(startedPids(pids)).toHaveLength(1);
    expect([pool.started, pool.served]).toEqual([1, 3]);
    await pool.close();
    expect(alive(startedPids(pids)[0])).toBe(false);
  });

  test('stacks at the same time get a process each, then share them', async () => {
    const pids = path.join(os.tmpdir(), `sesform-pool-${process.pid}-b`);
    fs.rmSync(pids, { force: true });
    const pool = new ProviderPool();
    const slow = (env: NodeJS.ProcessEnv) => new Promise((resolve) => setTimeout(() => resolve(env), 50));
    await Promise.all([1, 2].map(() => pool.use(recordingProvider(pids), { PATH: process.env.PATH }, slow)));
    await pool.use(recordingProvider(pids), { PATH: process.env.PATH }, slow);
    expect(startedPids(pids)).toHaveLength(2);
    await pool.close();
  });

  test('with a custom CA bundle each stack gets its own process, said once', async () => {
    const pids = path.join(os.tmpdir(), `sesform-pool-${process.pid}-c`);
    fs.rmSync(pids, { force: true });
    const lines: string[] = [];
    const pool = new ProviderPool({ progress: (line) => lines.push(line) });
    const env = { PATH: process.env.PATH, AWS_CA_BUNDLE: '/etc/ssl/corporate.pem' };
    for (let stack = 0; stack < 3; stack++)
      expect(await pool.use(recordingProvider(pids), env, async (each) => each.TF_REATTACH_PROVIDERS)).toBeDefined();
    expect(startedPids(pids)).toHaveLength(3);
    // Each process stops once its stack is done, not at the end of the run.
    expect(startedPids(pids).map(alive)).toEqual([false, false, false]);
    expect(lines).toEqual([
      'AWS provider pool: AWS_CA_BUNDLE is set, and the provider cannot be configured twice with a custom CA bundle: one provider process per stack',
    ]);
    await pool.close();
  });

  test('a provider without a handshake: the run goes on without the pool, said once, never retried', async () => {
    const lines: string[] = [];
    const pool = new ProviderPool({ progress: (line) => lines.push(line), timeoutMs: 300 });
    for (let stack = 0; stack < 2; stack++)
      expect(
        await pool.use(stackDir('exit 3'), { PATH: process.env.PATH }, async (env) => env.TF_REATTACH_PROVIDERS),
      ).toBeUndefined();
    expect(lines).toEqual([
      'AWS provider pool unavailable (terraform-provider-aws_v5.100.0_x5: it exited with code 3 before the reattach handshake): each terraform step starts its own provider',
    ]);
    expect(pool.started).toBe(0);
    await pool.close();
  });
});
