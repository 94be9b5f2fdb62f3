import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Environment } from '../environment/schema';
import { LocalTarget, emulatorClientConfig } from './local-target';

/** Creates, in the emulator's S3, the state buckets the environments name, before `terraform init`. */
export async function createLocalStateBuckets(
  target: LocalTarget,
  environments: readonly Environment[],
): Promise<void> {
  const buckets = new Map(environments.map(({ stateBackend }) => [stateBackend.bucket, stateBackend.region]));
  for (const [bucket, region] of buckets) {
    const s3 = new S3Client({ ...emulatorClientConfig(target), region, forcePathStyle: true });
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
    } catch (error) {
      // A bucket that `sesform bootstrap` made in the environment's own account is just as good.
      if (!(error instanceof BucketAlreadyOwnedByYou || error instanceof BucketAlreadyExists)) throw error;
    } finally {
      s3.destroy();
    }
  }
}
