import { z } from 'zod';

/**
 * The same schema with every object in it strict: a field the schema does
 * not name is an error instead of being ignored. The contract's result
 * schemas are lenient on purpose (an older client reads a newer daemon);
 * tests read the daemon's answers strictly, so that a field the code sends
 * but the contract (and docs/protocol.md) does not list fails a test.
 */
export function strictly(schema: z.ZodTypeAny): z.ZodTypeAny {
  if (schema instanceof z.ZodObject) {
    const shape = Object.fromEntries(Object.entries(schema.shape as z.ZodRawShape).map(([key, field]) => [key, strictly(field)]));
    return z.object(shape).strict();
  }
  // instanceof narrows to the class with `any` for its inner schemas: each is named a ZodTypeAny again.
  if (schema instanceof z.ZodArray) return z.array(strictly(schema.element as z.ZodTypeAny));
  if (schema instanceof z.ZodOptional) return strictly(schema.unwrap() as z.ZodTypeAny).optional();
  if (schema instanceof z.ZodNullable) return strictly(schema.unwrap() as z.ZodTypeAny).nullable();
  if (schema instanceof z.ZodRecord) return z.record(schema.keySchema, strictly(schema.valueSchema as z.ZodTypeAny));
  if (schema instanceof z.ZodUnion) return z.union((schema.options as z.ZodTypeAny[]).map(strictly) as [z.ZodTypeAny, z.ZodTypeAny]);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const options = (schema.options as z.ZodTypeAny[]).map(strictly) as [z.AnyZodObject, z.AnyZodObject];
    return z.discriminatedUnion(schema.discriminator as string, options);
  }
  return schema;
}
