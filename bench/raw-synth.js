#!/usr/bin/env node
'use strict';
/**
 * The baseline of bench/scale.js: the same stack as `sesform synth` writes for one environment file
 * (provider, S3 backend, one resource per set and per destination), built with the raw provider
 * classes and no validation at all.
 *
 *   node bench/raw-synth.js ENVIRONMENT.json OUTDIR
 */
const fs = require('node:fs');
// Through sesform's CDK seam (src/cdk/, built by bin/sesform.js before this runs), like sesform itself.
const { App, S3Backend, TerraformStack } = require('../dist/src/cdk/cdk-core');
const {
  AwsProvider,
  Sesv2ConfigurationSet,
  Sesv2ConfigurationSetEventDestination,
} = require('../dist/src/cdk/aws-provider');

const [file, outdir] = process.argv.slice(2);
const environment = JSON.parse(fs.readFileSync(file, 'utf8'));
const app = new App({ outdir });
for (const region of environment.regions) {
  const stack = new TerraformStack(app, `${environment.name}-${region}`);
  new AwsProvider(stack, 'aws', {
    region,
    allowedAccountIds: [environment.accountId],
    assumeRole: [{ roleArn: environment.deployRole.arn, sessionName: `sesform-${environment.name}` }],
  });
  new S3Backend(stack, { ...environment.stateBackend, key: `ses/${environment.name}/${region}/terraform.tfstate` });
  for (const set of environment.configurationSets) {
    const resource = new Sesv2ConfigurationSet(stack, set.name, {
      configurationSetName: set.name,
      sendingOptions: { sendingEnabled: true },
      reputationOptions: { reputationMetricsEnabled: true },
    });
    for (const destination of set.eventDestinations)
      new Sesv2ConfigurationSetEventDestination(stack, `${set.name}-${destination.name}`, {
        configurationSetName: resource.configurationSetName,
        eventDestinationName: destination.name,
        eventDestination: {
          enabled: true,
          matchingEventTypes: destination.eventTypes.map((type) => type.toUpperCase()),
          cloudWatchDestination: {
            dimensionConfiguration: destination.cloudWatch.dimensions.map((dimension) => ({
              dimensionName: dimension.name,
              dimensionValueSource: 'MESSAGE_TAG',
              defaultDimensionValue: dimension.defaultValue,
            })),
          },
        },
      });
  }
}
app.synth();
