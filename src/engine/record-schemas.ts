/**
 * The engine's own records as zod schemas: saved-plan and reviewed records, and the interrupted-apply
 * marker. Read back only through these, so that a record a pull request or another user wrote is
 * refused with its path and field instead of trusted.
 */
import { z } from 'zod';
import { StackChangesSchema } from '../report/report-schemas';

const text = z.string();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const PendingCreatesSchema = z.array(z.object({ address: text, importId: text }));

export const SavedPlanSchema = z.object({
  stack: text,
  configHash: sha256,
  reviewHash: sha256,
  planSha256: sha256,
  createdAt: text,
  changes: StackChangesSchema,
  actions: z.record(text, text),
  creates: PendingCreatesSchema,
  readOnly: z.literal(true).optional(),
});
