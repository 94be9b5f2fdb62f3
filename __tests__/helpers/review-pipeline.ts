/**
 * The sesform command lines of the review-to-apply pipeline, as the shipped workflows run them (the
 * workflow unit test checks that the workflows contain exactly these; the end-to-end test runs them in
 * this order on the emulator, with folders for the artifacts between jobs).
 */
export const SHARDS = 2;

export const PULL_REQUEST = {
  /** validate job: the configuration's fingerprint, the key of the review's plans. */
  fingerprint: ['synth', '--json'],
  /** plan job, one per shard: read-only plans whose records are the review. */
  plan: (shard: number) => [
    'plan',
    '--all',
    '--read-only',
    '--shard',
    `${shard}/${SHARDS}`,
    '--plans',
    'reviewed',
    '--json',
  ],
  /** comment job: one report of the shards. */
  merge: ['report', '--merge', 'plan-*.json', '--markdown', 'plan.md', '--html', 'plan.html'],
};

export const ROLLOUT = {
  /** review job: the merged configuration's fingerprint, to find the reviewed plans. */
  fingerprint: ['synth', '--json'],
  /** review job: plan again (read-only) and compare with the review. */
  check: ['plan', '--all', '--read-only', '--reviewed', 'reviewed', '--plans', 'approved', '--json'],
  /** review job: the comparison as Markdown, for the summary and the merged pull request's comment. */
  show: ['report', 'review.json', '--markdown', 'review.md'],
  /** wave jobs: apply only the approved plans. */
  wave: (wave: number) => ['rollout', '--all', '--wave', String(wave), '--reviewed', 'approved', '--auto-approve'],
};
