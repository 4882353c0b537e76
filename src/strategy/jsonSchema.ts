/**
 * @module The strategy file's JSON Schema, generated from the zod schema so editors complete and
 * check strategy files. docs/strategy.schema.json is this output; a test keeps the two equal
 * (regenerate with `node dist/strategy/jsonSchema.js > docs/strategy.schema.json`).
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { strategySchema } from './schema.js';

export function strategyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(strategySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'Atlas strategy file', description: 'One strategy, from research to a paper account (docs/strategy.md).' };
}

export function strategyJsonSchemaText(): string {
  return `${JSON.stringify(strategyJsonSchema(), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.stdout.write(strategyJsonSchemaText());
