import { BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Environment } from '../environment/schema';
import { LOCAL_CREDENTIALS_ENV, LocalTarget } from './local-target';

/** Creates, in the emulator's S3, the state buckets the environments name, before `terraform init`. */
export async function createLocalStateBuckets(
  target: LocalTarget,
  environments: readonly Environment[],
): Promise<void> {
  const buckets = new Map(environments.map(({ stateBackend }) => [stateBackend.bucket, stateBackend.region]));
  for (const [bucket, region] of buckets) {
    const s3 = new S3Client({
      endpoint: target.endpoint,
      region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_CREDENTIALS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    try {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as never } }),
        }),
      );
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
    } finally {
      s3.destroy();
    }
  }
}
