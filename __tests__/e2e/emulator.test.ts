import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  DeleteConfigurationSetCommand,
  DeleteConfigurationSetEventDestinationCommand,
  EventDestinationDefinition,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  PutConfigurationSetDeliveryOptionsCommand,
  PutConfigurationSetReputationOptionsCommand,
  PutConfigurationSetSendingOptionsCommand,
  PutConfigurationSetSuppressionOptionsCommand,
  PutConfigurationSetTrackingOptionsCommand,
  SESv2Client,
  UpdateConfigurationSetEventDestinationCommand,
} from '@aws-sdk/client-sesv2';
import { CreateBucketCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { Emulator, startEmulator } from '../../src/emulator/emulator';
import { sesClientIn } from '../helpers/local-stacks';
import { PROJECT_ROOT, environmentYaml, writeFiles } from '../helpers/synth';
import { isLoopbackEndpoint } from '../../src/local/local-target';

// Sized for a loaded 2-core machine: the suite runs this file beside the Terraform-heavy ones, and
// jest's 5 s default failed here once while samples-lifecycle ran.
jest.setTimeout(60_000);

const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
}, 60_000);

afterAll(async () => {
  await emulator?.stop();
});

function sesIn(account: string, region = 'eu-west-1'): Promise<SESv2Client> {
  return sesClientIn(emulator.endpoint, account, region);
}

const destination = (overrides: Partial<EventDestinationDefinition> = {}): EventDestinationDefinition => ({
  Enabled: true,
  MatchingEventTypes: ['SEND', 'BOUNCE'],
  CloudWatchDestination: {
    DimensionConfigurations: [
      { DimensionName: 'campaign', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' },
    ],
  },
  ...overrides,
});

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: failure.name, status: failure.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

describe('the embedded emulator', () => {
  test('listens on a loopback address only', () => {
    expect(isLoopbackEndpoint(emulator.endpoint)).toBe(true);
    expect(isLoopbackEndpoint('http://10.0.0.1:4566')).toBe(false);
    expect(isLoopbackEndpoint('https://email.eu-west-1.amazonaws.com')).toBe(false);
  });

  test('configuration sets: create, get with a boolean SendingOptions, every Put*Options call, delete', async () => {
    const ses = await sesIn('111111111111');
    await ses.send(
      new CreateConfigurationSetCommand({ ConfigurationSetName: 'options', SendingOptions: { SendingEnabled: true } }),
    );
    await ses.send(
      new PutConfigurationSetSendingOptionsCommand({ ConfigurationSetName: 'options', SendingEnabled: false }),
    );
    await ses.send(
      new PutConfigurationSetReputationOptionsCommand({
        ConfigurationSetName: 'options',
        ReputationMetricsEnabled: true,
      }),
    );
    await ses.send(
      new PutConfigurationSetDeliveryOptionsCommand({
        ConfigurationSetName: 'options',
        TlsPolicy: 'REQUIRE',
        SendingPoolName: 'pool',
        MaxDeliverySeconds: 600,
      }),
    );
    await ses.send(
      new PutConfigurationSetTrackingOptionsCommand({
        ConfigurationSetName: 'options',
        CustomRedirectDomain: 'track.example.com',
        HttpsPolicy: 'REQUIRE',
      }),
    );
    await ses.send(
      new PutConfigurationSetSuppressionOptionsCommand({
        ConfigurationSetName: 'options',
        SuppressedReasons: ['BOUNCE'],
      }),
    );
    const read = await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'options' }));
    expect(read).toMatchObject({
      ConfigurationSetName: 'options',
      SendingOptions: { SendingEnabled: false },
      ReputationOptions: { ReputationMetricsEnabled: true },
      DeliveryOptions: { TlsPolicy: 'REQUIRE', SendingPoolName: 'pool', MaxDeliverySeconds: 600 },
      TrackingOptions: { CustomRedirectDomain: 'track.example.com', HttpsPolicy: 'REQUIRE' },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE'] },
    });
    await ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'options' }));
    expect(await errorOf(ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'options' })))).toEqual({
      name: 'NotFoundException',
      status: 404,
    });
  });

  test('event destinations: create, get, update in place, delete', async () => {
    const ses = await sesIn('111111111111');
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'events' }));
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'events',
        EventDestinationName: 'metrics',
        EventDestination: destination(),
      }),
    );
    await ses.send(
      new UpdateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'events',
        EventDestinationName: 'metrics',
        EventDestination: destination({ Enabled: false, MatchingEventTypes: ['DELIVERY_DELAY'] }),
      }),
    );
    const { EventDestinations } = await ses.send(
      new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'events' }),
    );
    expect(EventDestinations).toEqual([
      {
        Name: 'metrics',
        Enabled: false,
        MatchingEventTypes: ['DELIVERY_DELAY'],
        CloudWatchDestination: destination().CloudWatchDestination,
      },
    ]);
    await ses.send(
      new DeleteConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'events',
        EventDestinationName: 'metrics',
      }),
    );
    expect(
      (await ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'events' })))
        .EventDestinations,
    ).toEqual([]);
  });

  test('errors carry the SES codes and statuses', async () => {
    const ses = await sesIn('111111111111');
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'errors' }));
    const create = (name: string, definition = destination()) =>
      ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'errors',
          EventDestinationName: name,
          EventDestination: definition,
        }),
      );
    expect(await errorOf(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'errors' })))).toEqual({
      name: 'AlreadyExistsException',
      status: 400,
    });
    expect(await errorOf(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'bad name' })))).toEqual({
      name: 'BadRequestException',
      status: 400,
    });
    expect(await errorOf(ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'missing' })))).toEqual({
      name: 'NotFoundException',
      status: 404,
    });
    for (let index = 0; index < 10; index++) await create(`d${index}`);
    expect(await errorOf(create('d0'))).toEqual({ name: 'AlreadyExistsException', status: 400 });
    expect(await errorOf(create('d10'))).toEqual({ name: 'LimitExceededException', status: 400 });
    await ses.send(
      new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'errors', EventDestinationName: 'd9' }),
    );
    const eleven = Array.from({ length: 11 }, (_, index) => ({
      DimensionName: `dim${index}`,
      DimensionValueSource: 'MESSAGE_TAG' as const,
      DefaultDimensionValue: 'none',
    }));
    expect(
      await errorOf(create('wide', destination({ CloudWatchDestination: { DimensionConfigurations: eleven } }))),
    ).toEqual({ name: 'LimitExceededException', status: 400 });
    expect(await errorOf(create('bad name'))).toEqual({ name: 'BadRequestException', status: 400 });
    expect(
      await errorOf(
        ses.send(
          new UpdateConfigurationSetEventDestinationCommand({
            ConfigurationSetName: 'errors',
            EventDestinationName: 'missing',
            EventDestination: destination(),
          }),
        ),
      ),
    ).toEqual({ name: 'NotFoundException', status: 404 });
  });

  test('storage is per account and per region, routed by AssumeRole', async () => {
    const dev = await sesIn('222222222222');
    const prod = await sesIn('333333333333');
    const prodUs = await sesIn('333333333333', 'us-east-1');
    await dev.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'isolated' }));
    const exists = async (client: SESv2Client) => {
      try {
        await client.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'isolated' }));
        return true;
      } catch (error) {
        if ((error as Error).name === 'NotFoundException') return false;
        throw error;
      }
    };
    expect([await exists(dev), await exists(prod), await exists(prodUs)]).toEqual([true, false, false]);
    await prod.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'isolated' }));
    expect([await exists(dev), await exists(prod), await exists(prodUs)]).toEqual([true, true, false]);
  });

  test('bucket policies honour aws:SecureTransport: a TLS-only bucket refuses plain HTTP, other buckets do not', async () => {
    const s3 = new S3Client({
      endpoint: emulator.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    for (const Bucket of ['tls-only', 'open'])
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
      );
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'tls-only',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: ['arn:aws:s3:::tls-only', 'arn:aws:s3:::tls-only/*'],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      }),
    );
    expect(await errorOf(s3.send(new PutObjectCommand({ Bucket: 'tls-only', Key: 'k', Body: 'x' })))).toMatchObject({
      status: 403,
    });
    await s3.send(new PutObjectCommand({ Bucket: 'open', Key: 'k', Body: 'x' }));
    s3.destroy();
  });
});

describe('the emulator is reachable from this machine only, and by no web page', () => {
  /** A raw request, with the headers a browser or a rebound DNS name would send. */
  function request(
    method: string,
    urlPath: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
    const { hostname, port } = new URL(emulator.endpoint);
    return new Promise((resolve, reject) => {
      const sent = http.request({ host: hostname, port, method, path: urlPath, headers }, (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
      });
      sent.on('error', reject);
      sent.end();
    });
  }

  test('a request addressed to another host name is refused', async () => {
    const reset = await request('POST', '/moto-api/reset', { Host: 'attacker.example' });
    expect(reset.status).toBe(403);
    // Only a loopback name and a port, nothing around them.
    const port = new URL(emulator.endpoint).port;
    for (const Host of [`127.0.0.1:${port}@evil.example`, '127.0.0.1.evil.example', `localhost:${port}.evil.example`])
      expect({ Host, status: (await request('POST', '/moto-api/reset', { Host })).status }).toEqual({
        Host,
        status: 403,
      });
    expect((await request('GET', '/moto-api/data.json', { Host: `LOCALHOST:${port}` })).status).toBe(200);
  });

  test('cross-origin requests are refused and nothing answers with CORS headers', async () => {
    const preflight = await request('OPTIONS', '/moto-api/reset', {
      Origin: 'https://attacker.example',
      'Access-Control-Request-Method': 'POST',
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const post = await request('POST', '/moto-api/reset', { Origin: 'https://attacker.example' });
    expect(post.status).toBe(403);
    const plain = await request('GET', '/moto-api/data.json', {});
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('an unsupported moto version is refused at launch, naming the supported range', () => {
    const launcher = path.join(PROJECT_ROOT, 'src', 'emulator');
    const result = spawnSync(
      process.env.SESFORM_PYTHON ?? 'python3',
      ['-c', "import moto_ses; moto_ses.check_moto_version('4.2.14')"],
      { cwd: launcher, encoding: 'utf8' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "moto 4.2.14 is not supported by the sesform emulator, which extends moto's internals: install moto >=5.2,<5.3",
    );
  });
});

/** The first lines `sesform emulator` prints: starting at once, then a hint that works when pasted. */
function expectStartedWithHint(output: string, endpoint: string): void {
  expect(output.split('\n')[0]).toBe('Starting the emulator (HTTPS)...');
  // The hint works when pasted: sesform through npx, and apply after plan with ';' (plan exits 2 on changes).
  expect(output).toContain(`  export SESFORM_LOCAL_ENDPOINT=${endpoint}\n`);
  expect(output).toContain('  npx sesform plan --local --all; npx sesform apply --local --all');
  expect(output).toContain('  npx sesform rollout --local --all --auto-approve');
  expect(output).not.toMatch(/^\s*sesform |&&/m);
}

test('`sesform emulator --tls` says it is starting at once, serves HTTPS on the loopback address, and stops on Ctrl-C', async () => {
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'sesform.js'), 'emulator', '--tls'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address in 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /listening on (https:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    });
  });
  try {
    expectStartedWithHint(output, endpoint);
  } catch (error) {
    child.kill('SIGINT');
    throw error;
  }
  // The throwaway certificate: accepted here for the loopback address only, as local mode does.
  const status = await new Promise<number | undefined>((resolve, reject) =>
    https
      .get(`${endpoint}/`, { rejectUnauthorized: false }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
      .on('error', reject),
  );
  expect(status).toBe(200);
  child.kill('SIGINT');
  expect(await exited).toBe(0);
}, 90_000);

test("`sesform emulator --print-env --env NAME`: the variables it prints, evaluated by a shell, reach that environment's account and region with boto3, through its deploy role and external ID", async () => {
  const account = '720000000027';
  const { dir, cleanup } = writeFiles({
    'environments/handson.yaml': environmentYaml('handson', account, 'configurationSets: []\n').replace(
      'arn: arn:aws:iam::720000000027:role/ses-deploy',
      'arn: arn:aws:iam::720000000027:role/ses-deploy\n  externalId: sesform-hands-on',
    ),
  });
  try {
    const ses = await sesIn(account);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'by-hand' }));
    const python = process.env.SESFORM_PYTHON ?? 'python3';
    const script = [
      `eval "$(node ${path.join(PROJECT_ROOT, 'bin', 'sesform.js')} emulator --print-env --env handson --environments environments --endpoint ${emulator.endpoint})"`,
      `${python} -c 'import boto3; print(boto3.client("sts").get_caller_identity()["Account"]); print(",".join(boto3.client("sesv2").list_configuration_sets()["ConfigurationSets"]))'`,
    ].join(' && ');
    // Whatever AWS identity the shell had is replaced by the printed one.
    const run = spawnSync('bash', ['-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIAREALLOOKING', AWS_PROFILE: 'someone', AWS_REGION: 'us-west-2' },
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout.trim().split('\n')).toEqual([account, 'by-hand']);
    const printed = spawnSync(
      process.execPath,
      [
        path.join(PROJECT_ROOT, 'bin', 'sesform.js'),
        'emulator',
        '--print-env',
        '--env',
        'handson',
        '--environments',
        'environments',
        '--endpoint',
        emulator.endpoint,
      ],
      { cwd: dir, encoding: 'utf8' },
    ).stdout;
    expect(printed).toContain(
      `# handson: account ${account}, eu-west-1, through arn:aws:iam::${account}:role/ses-deploy, with its external ID.`,
    );
    expect(printed).toContain(`export AWS_ENDPOINT_URL=${emulator.endpoint}\n`);
  } finally {
    cleanup();
  }
});
