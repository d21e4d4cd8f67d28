import { z } from 'zod';

/** At most 15 digits: every such number is exact in a double. */
const DECIMAL_DIGITS = /^[0-9]{1,15}$/;

/**
 * A whole number in a query string, read strictly: decimal digits only. `z.coerce.number()` would also
 * read `0x10`, `1e2`, ` 5`, `5.0` and `+5` (JavaScript's Number()), so one value could be spelled many
 * ways and a proxy or cache in front would see different strings for the same page; here each of them is
 * a 400. Absent means `fallback`.
 */
export function queryInteger(options: { min: number; max: number; fallback: number }) {
  const { min, max, fallback } = options;
  return z
    .string()
    .regex(DECIMAL_DIGITS, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback)
    .meta({
      // Documented as what it is (an integer and its bounds), not as the digit pattern it is read with.
      override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
        delete jsonSchema['pattern'];
        Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max, default: fallback });
      },
    });
}
