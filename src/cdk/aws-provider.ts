/**
 * The one place sesform imports the prebuilt AWS provider bindings from: each class by its deep path
 * (the package root loads all 1,500 resources: 5 s and 580 MB per process, against 0.2 s and 75 MB).
 * Switching to CDK Terrain's `@cdktn/provider-aws` is this file, cdk-core.ts and package.json
 * (docs/cdk-terrain.md). The package's name and its provider version are in packages.ts.
 */
export { AwsProvider } from '@cdktf/provider-aws/lib/provider';
export { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
export { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
export { IamRole } from '@cdktf/provider-aws/lib/iam-role';
export { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
export { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
export { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
export { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
export { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
export { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
export { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
export { Sesv2ConfigurationSet } from '@cdktf/provider-aws/lib/sesv2-configuration-set';
export { Sesv2ConfigurationSetEventDestination } from '@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination';
export { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
export { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
