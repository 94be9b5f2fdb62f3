#!/usr/bin/env node
'use strict';
/**
 * Compares the stacks two or more synth outputs hold (cdktf.out folders): the same stacks, and each
 * stack's cdk.tf.json byte for byte. A difference is allowed only where EXPLAINED gives its reason;
 * every difference is listed with it, and any other fails the comparison (exit 1).
 *   node scripts/compare-synth.js BASELINE.out OTHER.out [MORE.out...]
 */
const fs = require('node:fs');
const path = require('node:path');

/** The differences a switch of CDK is expected to make, by JSON path, with the reason. */
const EXPLAINED = [
  {
    path: /^\/\/\.metadata\.version$/,
    reason: 'the version of the CDK that wrote the file, in its comment block ("//"), which Terraform ignores',
  },
  {
    path: /^terraform\.required_providers\.aws\.source$/,
    reason: 'the same provider address: cdktn writes "hashicorp/aws" in full where cdktf writes "aws"',
  },
  {
    path: /^terraform\.required_providers\.aws\.version$/,
    reason:
      "each CDK's bindings pin the provider they were generated from; awsProviderVersion in an environment file pins another (docs/cdk-terrain.md)",
  },
];

function stacksOf(outdir) {
  const folder = path.join(outdir, 'stacks');
  return new Map(
    fs
      .readdirSync(folder)
      .sort()
      .map((stack) => [stack, fs.readFileSync(path.join(folder, stack, 'cdk.tf.json'), 'utf8')]),
  );
}

/** Every leaf path whose value differs between two JSON values, with both values. */
function differences(left, right, at = []) {
  const isObject = (value) => typeof value === 'object' && value !== null;
  if (!isObject(left) || !isObject(right) || Array.isArray(left) !== Array.isArray(right)) {
    return JSON.stringify(left) === JSON.stringify(right) ? [] : [{ path: at, left, right }];
  }
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  const order = JSON.stringify(Object.keys(left)) === JSON.stringify(Object.keys(right));
  const found = keys.flatMap((key) => differences(left[key], right[key], [...at, key]));
  return order || found.length > 0 ? found : [{ path: at, left: 'keys in another order', right: '' }];
}

function main([baseline, ...others]) {
  if (!baseline || others.length === 0) {
    console.error('usage: compare-synth.js BASELINE.out OTHER.out [MORE.out...]');
    return 2;
  }
  const expected = stacksOf(baseline);
  let unexplained = 0;
  for (const other of others) {
    const actual = stacksOf(other);
    const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
    let identical = 0;
    for (const name of names) {
      const [left, right] = [expected.get(name), actual.get(name)];
      if (left === undefined || right === undefined) {
        console.log(`${other}: stack ${name} is only in ${left === undefined ? other : baseline}`);
        unexplained++;
        continue;
      }
      if (left === right) {
        identical++;
        continue;
      }
      for (const difference of differences(JSON.parse(left), JSON.parse(right))) {
        const where = difference.path.join('.');
        const reason = EXPLAINED.find((rule) => rule.path.test(where))?.reason;
        if (reason === undefined) unexplained++;
        console.log(
          `${other}: ${name} ${where}: ${JSON.stringify(difference.left)} -> ${JSON.stringify(difference.right)}` +
            (reason ? ` (expected: ${reason})` : ' (UNEXPLAINED)'),
        );
      }
      if (JSON.stringify(JSON.parse(left)) === JSON.stringify(JSON.parse(right)) && left !== right) {
        console.log(`${other}: ${name}: same JSON, other formatting (UNEXPLAINED)`);
        unexplained++;
      }
    }
    console.log(`${other}: ${identical} of ${names.length} stacks byte for byte identical to ${baseline}`);
  }
  if (unexplained > 0) console.log(`${unexplained} unexplained difference(s)`);
  return unexplained > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
