import path from 'node:path';
import { z } from 'zod';
import type { DbTarget } from './db/connect.js';

const Env = z.object({
  DATABASE_URL: z.string().url().optional(),
  RHIZOME_DATA_DIR: z.string().min(1).optional(),
  RHIZOME_HOST: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export const DEFAULT_DATA_DIR = './rhizome-data';
export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = '127.0.0.1';

export interface DatabaseFlags {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): z.infer<typeof Env> {
  // An empty variable (DATABASE_URL= in a shell) means "not set".
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Flags win over the environment; with neither, the embedded database in ./rhizome-data. */
export function resolveDbTarget(flags: DatabaseFlags, env = readEnv()): DbTarget {
  if (flags.databaseUrl && flags.dataDir)
    throw new Error('give either --database-url or --data-dir, not both');
  const url = flags.databaseUrl ?? (flags.dataDir ? undefined : env.DATABASE_URL);
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url))
      throw new Error('--database-url must start with postgres:// or postgresql://');
    return { engine: 'postgres', url };
  }
  return {
    engine: 'pglite',
    dataDir: path.resolve(flags.dataDir ?? env.RHIZOME_DATA_DIR ?? DEFAULT_DATA_DIR),
  };
}
