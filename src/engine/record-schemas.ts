/**
 * The engine's own records as zod schemas: saved-plan and reviewed records, and the interrupted-apply
 * marker. Read back only through these, so that a record a pull request or another user wrote is
 * refused with its path and field instead of trusted.
 */
import { z } from 'zod';
import { StackChangesSchema } from '../report/report-schemas';

const text = z.string();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A resource address as cdktf names them (`aws_sesv2_configuration_set.mail_BB76F9F9`): printable as it is. */
const address = z.string().regex(/^[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+$/, 'expected a resource address (type.name)');
/** Terraform's action lists, joined as plannedActions joins them. */
const actions = z.enum(['create', 'update', 'delete', 'delete,create', 'create,delete', 'no-op', 'read']);
/** A set's or destination's import ID (`mail`, `mail|events`). */
const importId = z.string().regex(/^[A-Za-z0-9_.:|-]+$/, 'expected an import ID (set, or set|destination)');

export const PendingCreatesSchema = z.array(z.object({ address, importId }));

export const SavedPlanSchema = z.object({
  stack: text,
  configHash: sha256,
  reviewHash: sha256,
  planSha256: sha256,
  createdAt: text,
  changes: StackChangesSchema,
  actions: z.record(address, actions),
  creates: PendingCreatesSchema,
  readOnly: z.literal(true).optional(),
});
