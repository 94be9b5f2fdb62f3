/**
 * Terraform itself refuses a provider binary whose hash is not the one the project pins
 * (src/terraform/provider-checksums.json): a mirror with a planted binary for the pinned version
 * stops `terraform init` before anything runs. The real terraform binary; no AWS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StackWorkspace } from '../../src/terraform/stack-workspace';
import { TerraformProcesses, terraformEnvironment } from '../../src/terraform/terraform';
import { pinnedLockFile, terraformPlatform } from '../../src/terraform/provider-checksums';
import { PROJECT_ROOT } from '../helpers/synth';

jest.setTimeout(120_000);

test('a planted provider binary for the pinned version is refused by terraform init', async () => {
  // A fresh clone has no .sesform yet when this file runs first; a folder of our own, not the
  // world-writable temp folder, since provider discovery refuses those.
  fs.mkdirSync(path.join(PROJECT_ROOT, '.sesform'), { recursive: true });
  const root = fs.mkdtempSync(path.join(PROJECT_ROOT, '.sesform', 'tampered-'));
  try {
    const mirror = path.join(root, 'mirror');
    const binaryDir = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', terraformPlatform());
    fs.mkdirSync(binaryDir, { recursive: true });
    fs.writeFileSync(path.join(binaryDir, 'terraform-provider-aws_v5.100.0_x5'), '#!/bin/sh\necho planted\n', {
      mode: 0o755,
    });
    const stack = path.join(root, 'stack');
    fs.mkdirSync(stack);
    fs.writeFileSync(
      path.join(stack, 'cdk.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'aws', version: '5.100.0' } } } }),
    );
    if (pinnedLockFile(stack) === undefined) return; // this platform has no pin: nothing to refuse with
    const config = path.join(root, 'terraform.rc');
    fs.writeFileSync(
      config,
      `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n`,
    );
    const env = { ...terraformEnvironment(), TF_CLI_CONFIG_FILE: config };
    const workspace = new StackWorkspace('tampered', stack, env, { processes: new TerraformProcesses() });
    await expect(workspace.initIfNeeded()).rejects.toThrow(/doesn't match any of the checksums|checksum/i);
    expect(fs.readFileSync(path.join(stack, '.terraform.lock.hcl'), 'utf8')).toContain(
      'h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=',
    );
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
