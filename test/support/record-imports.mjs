// An ESM resolve hook that appends every resolved URL to $MM_IMPORT_LOG (test/cli/startup.test.ts).
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.MM_IMPORT_LOG) appendFileSync(process.env.MM_IMPORT_LOG, `${result.url}\n`);
  return result;
}
