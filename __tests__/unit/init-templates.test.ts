/**
 * Seeding a fresh stack folder with the provider installation of one initialized before it: only
 * for the same provider requirements, only into a folder with no installation or lock file of its
 * own, and always as links to the installed provider folders (never a copy of the binary).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InitTemplates } from '../../src/terraform/init-templates';
import { writeFiles } from '../helpers/synth';

const PLATFORM = ['registry.terraform.io', 'hashicorp', 'aws', '6.25.0', 'linux_amd64'];
const config = (version: string) =>
  JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version } } }, provider: { aws: [{}] } });

test('a fresh folder with the same requirements is seeded with links to the installation, and only then', () => {
  const { dir, cleanup } = writeFiles({
    'a/cdk.tf.json': config('6.25.0'),
    'a/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/aws" {}\n',
    [`a/.terraform/providers/${PLATFORM.join('/')}/terraform-provider-aws_v6.25.0_x5`]: 'binary',
    'b/cdk.tf.json': config('6.25.0'),
    'c/cdk.tf.json': config('5.100.0'),
    'd/cdk.tf.json': config('6.25.0'),
    'd/.terraform.lock.hcl': 'its own\n',
  });
  try {
    const templates = new InitTemplates();
    const at = (stack: string) => path.join(dir, stack);
    expect(templates.seed(at('b'))).toBe(false); // nothing initialized yet
    templates.record(at('a'));
    expect(templates.seed(at('b'))).toBe(true);
    const link = path.join(at('b'), '.terraform', 'providers', ...PLATFORM);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(path.join(at('a'), '.terraform', 'providers', ...PLATFORM)));
    expect(fs.readFileSync(path.join(at('b'), '.terraform.lock.hcl'), 'utf8')).toContain('hashicorp/aws');
    expect(templates.seed(at('b'))).toBe(false); // installed already
    expect(templates.seed(at('c'))).toBe(false); // another provider version
    expect(templates.seed(at('d'))).toBe(false); // a lock file of its own stays as it is
    expect(fs.readFileSync(path.join(at('d'), '.terraform.lock.hcl'), 'utf8')).toBe('its own\n');
    expect(templates.seeded).toBe(1);
  } finally {
    cleanup();
  }
});
