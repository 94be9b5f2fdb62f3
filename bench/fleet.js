'use strict';
/**
 * Generated environment files for the benchmarks: `count` teams, one account each, in waves 0-2,
 * in the given regions (default eu-west-1), each with the given configuration sets of two CloudWatch
 * destinations; `bucket` may use "{accountId}"
 * (one state bucket per account, as validate requires).
 */
const fs = require('node:fs');
const path = require('node:path');

function generateFleet(dir, count, { sets, accountBase, bucket, regions = ['eu-west-1'] }) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (let index = 0; index < count; index++) {
    const account = String(accountBase + index);
    const environment = {
      name: `team${index}`,
      accountId: account,
      deployRole: { arn: `arn:aws:iam::${account}:role/ses-deploy` },
      regions,
      stateBackend: { bucket, keyPrefix: 'ses', region: 'eu-west-1' },
      wave: index % 3,
      configurationSets: sets.map((name) => ({
        name,
        eventDestinations: ['delivery', 'engagement'].map((destination) => ({
          name: destination,
          eventTypes: destination === 'delivery' ? ['send', 'delivery', 'bounce', 'complaint'] : ['open', 'click'],
          cloudWatch: {
            dimensions: [{ name: 'ses:configuration-set', source: 'messageTag', defaultValue: name }],
          },
        })),
      })),
    };
    fs.writeFileSync(path.join(dir, `team${index}.json`), JSON.stringify(environment, null, 2));
  }
}

module.exports = { generateFleet };
